package cryptomus

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"math/big"
	"strings"
)

// NewUUID returns a random (version 4) UUID in lower case.
func NewUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand since Go 1.24)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// IsUUID is Laravel's uuid rule: 8-4-4-4-12 hex digits of any case, any version.
func IsUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// newKey returns a random API key: 64 hex digits.
func newKey() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// addressKind is the shape of a chain's addresses.
type addressKind int

const (
	kindNone   addressKind = iota // fiat without a network: no address
	kindEVM                       // 0x + 40 hex (Ethereum, BSC, Polygon, …)
	kindTron                      // base58check of 0x41 + 20 bytes: "T…", 34 chars
	kindBTC                       // bech32 P2WPKH "bc1q…", 42 chars
	kindLTC                       // bech32 P2WPKH "ltc1q…", 43 chars
	kindSolana                    // base58 of 32 bytes
)

var networkKinds = map[string]addressKind{
	"tron": kindTron, "trx": kindTron, "trc20": kindTron,
	"eth": kindEVM, "erc20": kindEVM, "bsc": kindEVM, "bep20": kindEVM, "polygon": kindEVM,
	"matic": kindEVM, "arbitrum": kindEVM, "avalanche": kindEVM, "avax": kindEVM,
	"optimism": kindEVM, "base": kindEVM,
	"btc": kindBTC, "bitcoin": kindBTC,
	"ltc": kindLTC, "litecoin": kindLTC,
	"sol": kindSolana, "solana": kindSolana,
}

var currencyKinds = map[string]addressKind{
	"BTC": kindBTC, "LTC": kindLTC, "TRX": kindTron, "USDT": kindTron, "SOL": kindSolana,
	"ETH": kindEVM, "USDC": kindEVM, "DAI": kindEVM, "BNB": kindEVM, "MATIC": kindEVM, "POL": kindEVM,
	"SHIB": kindEVM, "AVAX": kindEVM,
	// fiat: the payer chooses a coin and a network on the payment page
	"USD": kindNone, "EUR": kindNone, "RUB": kindNone, "GBP": kindNone, "UAH": kindNone,
	"KZT": kindNone, "TRY": kindNone, "BRL": kindNone, "INR": kindNone, "CNY": kindNone,
}

// kindOf picks the address shape: by network when it is a known one, else by
// currency; an unknown crypto currency gets an EVM address.
func kindOf(currency, network string) addressKind {
	if k, ok := networkKinds[strings.ToLower(network)]; ok {
		return k
	}
	if k, ok := currencyKinds[strings.ToUpper(currency)]; ok {
		return k
	}
	return kindEVM
}

// DepositAddress is the invoice's deposit address, derived from its uuid,
// currency and network so that it is stable and plausible for the chain:
// USDT/TRX on tron "T…" (valid base58check), BTC "bc1q…" (valid bech32),
// ETH and EVM networks "0x…". A fiat invoice without a network has none ("").
func DepositAddress(invoiceUUID, currency, network string) string {
	return address(kindOf(currency, network), "deposit|"+invoiceUUID+"|"+strings.ToUpper(currency)+"|"+strings.ToLower(network))
}

// PayerAddress is the simulated payer's address (the invoice's from). A fiat
// invoice without a network is paid with USDT on tron.
func PayerAddress(invoiceUUID, currency, network string) string {
	k := kindOf(currency, network)
	if k == kindNone {
		k = kindTron
	}
	return address(k, "payer|"+invoiceUUID+"|"+strings.ToUpper(currency)+"|"+strings.ToLower(network))
}

// TxHash is the simulated payment's transaction hash: 64 hex digits, with
// 0x on EVM chains.
func TxHash(invoiceUUID, currency, network string) string {
	sum := sha256.Sum256([]byte("tx|" + invoiceUUID + "|" + strings.ToUpper(currency) + "|" + strings.ToLower(network)))
	h := hex.EncodeToString(sum[:])
	if kindOf(currency, network) == kindEVM {
		return "0x" + h
	}
	return h
}

func address(k addressKind, seed string) string {
	sum := sha256.Sum256([]byte(seed))
	switch k {
	case kindNone:
		return ""
	case kindTron:
		return base58Check(append([]byte{0x41}, sum[:20]...))
	case kindBTC:
		return segwitV0("bc", sum[:20])
	case kindLTC:
		return segwitV0("ltc", sum[:20])
	case kindSolana:
		return base58(sum[:])
	default:
		return "0x" + hex.EncodeToString(sum[:20])
	}
}

const base58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

func base58(b []byte) string {
	n := new(big.Int).SetBytes(b)
	base, mod := big.NewInt(58), new(big.Int)
	var out []byte
	for n.Sign() > 0 {
		n.DivMod(n, base, mod)
		out = append(out, base58Alphabet[mod.Int64()])
	}
	for _, c := range b {
		if c != 0 {
			break
		}
		out = append(out, '1')
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return string(out)
}

// base58Check appends the first 4 bytes of the double SHA-256 of payload.
func base58Check(payload []byte) string {
	h1 := sha256.Sum256(payload)
	h2 := sha256.Sum256(h1[:])
	return base58(append(payload, h2[:4]...))
}

const bech32Charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"

func bech32Polymod(values []byte) uint32 {
	gen := [5]uint32{0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3}
	chk := uint32(1)
	for _, v := range values {
		top := chk >> 25
		chk = (chk&0x1ffffff)<<5 ^ uint32(v)
		for i := range 5 {
			if (top>>i)&1 == 1 {
				chk ^= gen[i]
			}
		}
	}
	return chk
}

// segwitV0 is the bech32 address of a version 0 witness program (BIP 173).
func segwitV0(hrp string, program []byte) string {
	data := []byte{0}
	acc, bits := 0, 0
	for _, b := range program { // 8-bit groups to 5-bit groups
		acc = acc<<8 | int(b)
		bits += 8
		for bits >= 5 {
			bits -= 5
			data = append(data, byte(acc>>bits&31))
		}
	}
	if bits > 0 {
		data = append(data, byte(acc<<(5-bits)&31))
	}
	values := make([]byte, 0, 2*len(hrp)+1+len(data)+6)
	for i := 0; i < len(hrp); i++ {
		values = append(values, hrp[i]>>5)
	}
	values = append(values, 0)
	for i := 0; i < len(hrp); i++ {
		values = append(values, hrp[i]&31)
	}
	values = append(values, data...)
	values = append(values, 0, 0, 0, 0, 0, 0)
	mod := bech32Polymod(values) ^ 1
	var sb strings.Builder
	sb.WriteString(hrp)
	sb.WriteByte('1')
	for _, d := range data {
		sb.WriteByte(bech32Charset[d])
	}
	for i := range 6 {
		sb.WriteByte(bech32Charset[mod>>(5*(5-i))&31])
	}
	return sb.String()
}
