package g722

// band is the adaptive state of one sub-band: the step size (in the log
// domain and linear) and the pole-zero predictor. Encoder and decoder run
// the same updates on the same quantised values, so their states stay
// equal without being sent. The delay lines are separate fields rather
// than arrays so that the compiler can keep them in registers.
type band struct {
	nb  int32 // log step size (LOGSCL/LOGSCH output)
	det int32 // linear step size (SCALEL/SCALEH output)
	// inv is 2^invShift/det rounded up, for the lower band's encoder: it
	// turns the quantiser's division by det into a multiplication.
	inv uint64

	s  int32 // predicted signal (PREDIC)
	sz int32 // zero section's share of it (FILTEZ)

	a1, a2 int32 // pole coefficients
	// The reconstructed signal of one and two samples ago, doubled and
	// saturated as FILTEP uses it.
	rr1, rr2 int32
	p1, p2   int32 // partial reconstruction, one and two samples ago

	b1, b2, b3, b4, b5, b6 int32 // zero coefficients
	// The quantised differences of one to six samples ago, doubled and
	// saturated as FILTEZ uses them; doubling keeps their signs, which is
	// all UPZERO needs.
	d1, d2, d3, d4, d5, d6 int32
}

// Initial step sizes (the recommendation's reset values).
const (
	lowInitialDet  = 32
	highInitialDet = 8
)

// Limits of the log step sizes.
const (
	lowMaxNB  = 18432
	highMaxNB = 22528
)

func sat16(v int32) int32 { return min(max(v, -32768), 32767) }

func clamp(v, lo, hi int32) int32 { return min(max(v, lo), hi) }

// signFlip is 0 when a and b have the same sign (negative or not) and -1
// when they differ; (x ^ f) - f is then x or -x without a branch.
func signFlip(a, b int32) int32 { return (a ^ b) >> 31 }

// onesMagnitude is |v| in ones' complement, as the quantisers compare it.
func onesMagnitude(v int32) int32 {
	if v < 0 {
		return -(v + 1)
	}
	return v
}

// stepSize turns the log step size into a linear one (SCALEL with shift 8,
// SCALEH with shift 10).
func stepSize(nb int32, shift int32) int32 {
	mantissa := ilb[(nb>>6)&31]
	if e := shift - (nb >> 11); e < 0 {
		mantissa <<= uint(-e)
	} else {
		mantissa >>= uint(e)
	}
	return mantissa << 2
}

// adaptLow updates the lower band's step size for 4-bit code ril (LOGSCL,
// SCALEL).
func (b *band) adaptLow(ril int32) {
	b.nb = clamp((b.nb*127)>>7+wl[rl42[ril&15]&7], 0, lowMaxNB)
	b.setLowStep()
}

// setLowStep sets the lower band's linear step size and its inverse from
// nb. Both depend on nb>>6 only, so they come from tables.
func (b *band) setLowStep() {
	k := (b.nb >> 6) & (steps - 1)
	b.det, b.inv = lowDet[k], lowInv[k]
}

// adaptHigh updates the higher band's step size for code ih (LOGSCH,
// SCALEH).
func (b *band) adaptHigh(ih int32) {
	b.nb = clamp((b.nb*127)>>7+wh[rh2[ih&3]&3], 0, highMaxNB)
	b.det = highDet[(b.nb>>6)&(steps-1)]
}

// predict takes the quantised difference dq of this sample and updates the
// predictor for the next one (the recommendation's block 4: RECONS,
// PARREC, UPPOL2, UPPOL1, UPZERO, DELAYA, FILTEP, FILTEZ, PREDIC). It runs
// twice per octet in both directions, so it is written without branches
// on the signal and in an order that keeps few values alive at once; each
// step says which block it is.
func (b *band) predict(dq int32) {
	r0 := sat16(b.s + dq)  // RECONS
	p0 := sat16(b.sz + dq) // PARREC
	flip1, flip2 := signFlip(p0, b.p1), signFlip(p0, b.p2)
	b.p2, b.p1 = b.p1, p0

	// UPPOL2: the second pole coefficient moves against the first's
	// agreement of signs and with the second's.
	wd := sat16(b.a1 << 2)
	wd = (wd ^ ^flip1) - ^flip1 // negated when the signs agree
	wd = min(wd, 32767)>>7 + (128 ^ flip2) - flip2
	a2 := clamp(wd+(b.a2*32512)>>15, -12288, 12288)

	// UPPOL1, bounded by the second coefficient for stability. The sum
	// cannot leave 16 bits (|a1| <= 27648), so it needs no saturation.
	a1 := (192 ^ flip1) - flip1 + (b.a1*32640)>>15
	limit := 15360 - a2
	a1 = clamp(a1, -limit, limit)
	b.a1, b.a2 = a1, a2

	// UPZERO, DELAYA and FILTEZ together, from the oldest tap to the
	// newest: each zero coefficient leaks and moves by ±128 towards the
	// agreement of dq's sign with its difference's (not at all when dq is
	// 0), then meets the difference that the delay line moves into its
	// place. A coefficient always fits 16 bits.
	var gain int32 = 128
	if dq == 0 {
		gain = 0
	}
	var sz int32
	d5, d4, d3, d2, d1 := b.d5, b.d4, b.d3, b.d2, b.d1
	f := signFlip(b.d6, dq)
	c := (gain ^ f) - f + (b.b6*32640)>>15
	b.b6, sz = c, (c*d5)>>15
	f = signFlip(d5, dq)
	c = (gain ^ f) - f + (b.b5*32640)>>15
	b.b5, sz = c, sz+(c*d4)>>15
	f = signFlip(d4, dq)
	c = (gain ^ f) - f + (b.b4*32640)>>15
	b.b4, sz = c, sz+(c*d3)>>15
	f = signFlip(d3, dq)
	c = (gain ^ f) - f + (b.b3*32640)>>15
	b.b3, sz = c, sz+(c*d2)>>15
	f = signFlip(d2, dq)
	c = (gain ^ f) - f + (b.b2*32640)>>15
	b.b2, sz = c, sz+(c*d1)>>15
	dNew := sat16(dq + dq)
	f = signFlip(d1, dq)
	c = (gain ^ f) - f + (b.b1*32640)>>15
	b.b1, sz = c, sz+(c*dNew)>>15
	b.d6, b.d5, b.d4, b.d3, b.d2, b.d1 = d5, d4, d3, d2, d1, dNew
	sz = sat16(sz)
	b.sz = sz

	// FILTEP and PREDIC: the prediction for the next sample.
	rr1, rr2 := sat16(r0+r0), b.rr1
	b.rr1, b.rr2 = rr1, rr2
	sp := sat16((a1*rr1)>>15 + (a2*rr2)>>15)
	b.s = sat16(sp + sz)
}
