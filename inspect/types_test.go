package inspect

import (
	"encoding/binary"
	"testing"
)

// TestDecodeName checks the runtime name decoder on well-formed and corrupt encodings.
func TestDecodeName(t *testing.T) {
	le := binary.LittleEndian
	// flags: exported | tag | pkgPath; "Name", tag `json:"n"`, pkgPath nameOff 0x01020304.
	good := append([]byte{1 | 2 | 4, 4}, "Name"...)
	good = append(good, 8)
	good = append(good, `json:"n"`...)
	good = append(good, 4, 3, 2, 1)
	n, length, err := decodeName(good, le)
	if err != nil || n.Name != "Name" || length != 4 || n.Tag != `json:"n"` || !n.Exported || !n.HasPkgPath || n.PkgPathOff != 0x01020304 || n.headerLen != 2 {
		t.Errorf("decodeName(good) = %+v, %d, %v", n, length, err)
	}
	// A two-byte varint length (200) with only the header present: length known, name not yet.
	n, length, err = decodeName([]byte{0, 0xc8, 0x01}, le)
	if err != nil || length != 200 || n.headerLen != 3 || n.Name != "" {
		t.Errorf("decodeName(header only) = %+v, %d, %v", n, length, err)
	}
	for name, b := range map[string][]byte{
		"empty":           {},
		"flag only":       {1},
		"varint runs off": {0, 0x80, 0x80},
		"overlong varint": {0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01},
		"too long":        {0, 0xff, 0xff, 0xff, 0x7f},
	} {
		if _, _, err := decodeName(b, le); err == nil {
			t.Errorf("decodeName(%s % x) accepted corrupt data", name, b)
		}
	}
	// A tag length running past the data is ignored, not read out of bounds.
	n, _, err = decodeName([]byte{2, 1, 'x', 50, 'a'}, le)
	if err != nil || n.Name != "x" || n.Tag != "" {
		t.Errorf("decodeName(truncated tag) = %+v, %v", n, err)
	}
}
