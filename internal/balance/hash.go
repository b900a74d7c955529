package balance

import (
	"hash/crc32"
	"math"
)

// hashFunc identifies the hash function of `hash-type <type> <function>`.
type hashFunc uint8

const (
	hashSDBM hashFunc = iota // HAProxy's default
	hashDJB2
	hashWT6
	hashCRC32
	hashNone // HAProxy 2.8's "none": the key is already a number
)

// sum hashes key with f, as HAProxy's gen_hash does before the optional
// avalanche step.
func (f hashFunc) sum(key []byte) uint32 {
	switch f {
	case hashDJB2:
		return djb2(key)
	case hashWT6:
		return wt6(key)
	case hashCRC32:
		return crc32.ChecksumIEEE(key)
	case hashNone:
		return uint32(readInt64(key))
	default:
		return sdbm(key)
	}
}

// readInt64 reads the decimal integer at the start of key, as HAProxy's
// read_int64 does for `hash-type … none`: an optional sign, digits up to
// the first other byte, saturating at the int64 limits; 0 without digits.
func readInt64(key []byte) int64 {
	neg := false
	if len(key) > 0 && (key[0] == '-' || key[0] == '+') {
		neg = key[0] == '-'
		key = key[1:]
	}
	var u uint64
	for _, c := range key {
		d := uint64(c - '0')
		if d > 9 {
			break
		}
		if u > (math.MaxUint64-d)/10 {
			u = math.MaxUint64
			break
		}
		u = u*10 + d
	}
	if neg {
		if u > 1<<63 {
			return math.MinInt64
		}
		return -int64(u)
	}
	if u > math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(u)
}

// String returns the function's `hash-type` keyword.
func (f hashFunc) String() string {
	switch f {
	case hashDJB2:
		return "djb2"
	case hashWT6:
		return "wt6"
	case hashCRC32:
		return "crc32"
	case hashNone:
		return "none"
	default:
		return "sdbm"
	}
}

// sdbm is the sdbm database hash: h = c + h<<6 + h<<16 - h, from 0.
func sdbm(key []byte) uint32 {
	var h uint32
	for _, c := range key {
		h = uint32(c) + h<<6 + h<<16 - h
	}
	return h
}

// djb2 is Bernstein's hash: h = h*33 + c, from 5381.
func djb2(key []byte) uint32 {
	h := uint32(5381)
	for _, c := range key {
		h = h<<5 + h + uint32(c)
	}
	return h
}

// wt6 is HAProxy's "wt6" hash (Willy Tarreau, 2012): two 32-bit lanes that
// are complemented with each byte, rotated into each other by amounts taken
// from the previous round's result, and folded with XOR at the end.
func wt6(key []byte) uint32 {
	h0, h1 := uint32(0xa53c965a), uint32(0x5ca6953a)
	r0, r1 := uint32(6), uint32(18)
	for _, c := range key {
		t := uint32(c)
		h0 = ^(h0 ^ t)
		h1 = ^(h1 + t)
		h0, h1 = rotl(h1, r0), rotl(h0, r1)
		t = (h0>>16 ^ h1) & 0xffff
		r0 = t & 0x1f
		r1 = t >> 11
	}
	return h0 ^ h1
}

// rotl rotates x left by n bits (n < 32); a rotation by 0 is the identity,
// which is what HAProxy's shift pair yields on the CPUs it runs on.
func rotl(x, n uint32) uint32 {
	return x<<n | x>>(32-n)
}

// fullHash is Bob Jenkins' 32-bit integer "full avalanche" hash followed by
// a multiplication by 3221225473, HAProxy's `avalanche` modifier and the
// function that places consistent-hash ring nodes.
func fullHash(a uint32) uint32 {
	a = (a + 0x7ed55d16) + (a << 12)
	a = (a ^ 0xc761c23c) ^ (a >> 19)
	a = (a + 0x165667b1) + (a << 5)
	a = (a + 0xd3a2646c) ^ (a << 9)
	a = (a + 0xfd7046c5) + (a << 3)
	a = (a ^ 0xb55a4f09) ^ (a >> 16)
	return a * 3221225473
}
