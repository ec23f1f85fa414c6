package server

import "bytes"

// The JSON token scanners that the body checker (json_body.go), the value
// reader (json_value.go) and the Cryptomus key ordering (cryptomus_json.go)
// share. Each takes the bytes and the index where a token begins and
// returns the index just past it; ok is false when the token is malformed
// or cut short.

// skipSpace returns the index of the first byte at or after i that is not
// white space between JSON tokens.
func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// scanString scans the string whose opening quote is b[i]; escaped says
// whether it holds escapes.
func scanString(b []byte, i int) (end int, escaped, ok bool) {
	for i++; i < len(b); {
		switch c := b[i]; {
		case c == '"':
			return i + 1, escaped, true
		case c < 0x20:
			return 0, false, false
		case c == '\\':
			escaped = true
			if i+1 >= len(b) {
				return 0, false, false
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(b) {
					return 0, false, false
				}
				for _, h := range b[i+2 : i+6] {
					if !isHex(h) {
						return 0, false, false
					}
				}
				i += 6
			default:
				return 0, false, false
			}
		default:
			i++
		}
	}
	return 0, false, false
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// scanNumber scans -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? from
// b[i]; exponent says whether it has one.
func scanNumber(b []byte, i int) (end int, exponent, ok bool) {
	digits := func() bool {
		from := i
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
		return i > from
	}
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case !digits():
		return 0, false, false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if !digits() {
			return 0, false, false
		}
	}
	exponent = i < len(b) && (b[i] == 'e' || b[i] == 'E')
	if exponent {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if !digits() {
			return 0, false, false
		}
	}
	return i, exponent, true
}

// scanWord scans the literal word (true, false, null) at b[i].
func scanWord(b []byte, i int, word string) (end int, ok bool) {
	if !bytes.HasPrefix(b[i:], []byte(word)) {
		return 0, false
	}
	return i + len(word), true
}
