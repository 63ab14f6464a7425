// Package qualityconf is the quality section of the configuration: the
// evaluation forms supervisors fill in (sections, questions, weights,
// critical questions), the teams scored together and which recorded calls
// go to the monthly review queue, their defaults and their checks.
//
// It owns what those keys mean and when they are wrong, as "key: reason"
// relative to quality. Package config reads the file, places each reason
// at its file and line, and tells it which agents and queues exist.
//
// It must not read files, score a review, or import config.
package qualityconf
