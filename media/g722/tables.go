package g722

// Tables of ITU-T G.722. Names follow the recommendation's where it has
// them, so the code can be checked against it block by block.

// qmfCoeffs are the even taps of the 24-tap quadrature mirror filter; the
// filter is symmetric, so the odd taps are the same values in reverse.
var qmfCoeffs = [12]int32{3, -11, 12, 32, -210, 951, 3876, -805, 362, -156, 53, -11}

// q6 are the lower band's decision levels (QUANTL), to be scaled by the
// band's step size.
var q6 = [31]int32{
	0, 35, 72, 110, 150, 190, 233, 276, 323, 370, 422, 473, 530, 587, 650, 714,
	786, 858, 940, 1023, 1121, 1219, 1339, 1458, 1612, 1765, 1980, 2195, 2557, 2919, 0,
}

// iln and ilp give the 6-bit code of each lower-band interval, for a
// negative and a positive difference.
var (
	iln = [32]uint8{
		0, 63, 62, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19,
		18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4,
	}
	ilp = [32]uint8{
		0, 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50, 49, 48, 47,
		46, 45, 44, 43, 42, 41, 40, 39, 38, 37, 36, 35, 34, 33, 32,
	}
)

// qm6 is the lower band's 6-bit inverse quantiser (INVQBL), for output.
var qm6 = [64]int32{
	-136, -136, -136, -136, -24808, -21904, -19008, -16704,
	-14984, -13512, -12280, -11192, -10232, -9360, -8576, -7856,
	-7192, -6576, -6000, -5456, -4944, -4464, -4008, -3576,
	-3168, -2776, -2400, -2032, -1688, -1360, -1040, -728,
	24808, 21904, 19008, 16704, 14984, 13512, 12280, 11192,
	10232, 9360, 8576, 7856, 7192, 6576, 6000, 5456,
	4944, 4464, 4008, 3576, 3168, 2776, 2400, 2032,
	1688, 1360, 1040, 728, 432, 136, -432, -136,
}

// qm4 is the 4-bit inverse quantiser (INVQAL) that drives the lower
// band's adaptation in encoder and decoder alike, whatever the mode.
var qm4 = [16]int32{
	0, -20456, -12896, -8968, -6288, -4240, -2584, -1200,
	20456, 12896, 8968, 6288, 4240, 2584, 1200, 0,
}

// rl42 maps a 4-bit code to its magnitude class, and wl gives each class's
// log step-size multiplier (LOGSCL).
var (
	rl42 = [16]uint8{0, 7, 6, 5, 4, 3, 2, 1, 7, 6, 5, 4, 3, 2, 1, 0}
	wl   = [8]int32{-60, -30, 58, 172, 334, 538, 1198, 3042}
)

// The higher band's 2-bit quantiser (QUANTH), inverse quantiser (INVQAH)
// and log step-size adaptation (LOGSCH).
var (
	ihn = [4]uint8{0, 1, 0} // sized 4 so that a masked index needs no bounds check
	ihp = [4]uint8{0, 3, 2}
	qm2 = [4]int32{-7408, -1616, 7408, 1616}
	rh2 = [4]uint8{2, 1, 2, 1}
	wh  = [4]int32{0, -214, 798}
)

// ilb is the antilog table of the step-size computation (SCALEL, SCALEH).
var ilb = [32]int32{
	2048, 2093, 2139, 2186, 2233, 2282, 2332, 2383,
	2435, 2489, 2543, 2599, 2656, 2714, 2774, 2834,
	2896, 2960, 3025, 3091, 3158, 3228, 3298, 3371,
	3444, 3520, 3597, 3676, 3756, 3838, 3922, 4008,
}

// lowInterval[v] is the lower band's quantiser interval (1..30) of a
// difference whose scaled magnitude is v: the first i with q6[i] > v.
var lowInterval [2919]uint8

func init() {
	i := 1
	for v := range lowInterval {
		for i < 30 && q6[i] <= int32(v) {
			i++
		}
		lowInterval[v] = uint8(i)
	}
}

// A band's step size depends on its log step size nb through nb>>6 only
// (SCALEL, SCALEH), so the step sizes are tabulated for the 289 and 353
// values nb>>6 takes in the lower and higher band, and the lower band's
// also with its inverse. The tables are padded to a power of two so that a
// masked index needs no bounds check.
const (
	steps = 512
	// invShift makes lowInv exact: for every x < 2^27 (the quantiser's
	// dividend) and det <= 32064, (x*lowInv)>>invShift is x/det rounded
	// down, since x*(lowInv - 2^invShift/det) < 2^27/2^42 < 1/det.
	invShift = 42
)

var (
	lowDet, highDet [steps]int32
	lowInv          [steps]uint64
)

func init() {
	for k := range lowMaxNB>>6 + 1 {
		det := stepSize(int32(k)<<6, 8)
		lowDet[k], lowInv[k] = det, (1<<invShift)/uint64(det)+1
	}
	for k := range highMaxNB>>6 + 1 {
		highDet[k] = stepSize(int32(k)<<6, 10)
	}
}
