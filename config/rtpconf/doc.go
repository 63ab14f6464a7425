// Package rtpconf is the rtp section of the configuration: the media
// sockets' address and port range, the address SDP advertises, the
// inactivity timeout, the pacer's workers and the codecs offered to
// agents' phones, with the checks of each.
//
// It owns what those keys mean and when they are wrong, as "key: reason"
// relative to rtp. Package config reads the file and places each reason
// at its file and line.
//
// It must not open sockets, or import config.
package rtpconf
