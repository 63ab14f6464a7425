#!/usr/bin/env bash
# Regenerates prompts/<lang>/*.wav from prompts/texts.yaml.
# Needs espeak-ng and sox (apt-get install -y espeak-ng sox).
# Extra arguments go to the generator, e.g. -only greeting,goodbye
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

for tool in espeak-ng sox go; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "generate.sh: $tool not found (apt-get install -y espeak-ng sox)" >&2
		exit 1
	fi
done

go run ./prompts/gen -texts prompts/texts.yaml -out prompts "$@"
