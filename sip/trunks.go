package sip

import "github.com/hotline-oss/hotline/sip/admission"

// InboundTrunk is what the endpoint needs to know about the trunk a
// request came from (package trunk implements it; see admission.Trunk).
type InboundTrunk = admission.Trunk

// TrunkDirectory finds the trunk a source address belongs to. It is
// asked on every INVITE and must not block.
type TrunkDirectory = admission.TrunkDirectory
