// Package promptset holds the prompts the server plays: every prompt of
// every configured language and the music on hold, read from the embedded
// set and the operator's prompts directory, decoded and encoded once at
// load so that playback only copies ready frames.
//
// It owns reading and looking prompts up. It must not play anything,
// know calls or flows, or import app.
package promptset
