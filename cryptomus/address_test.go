package cryptomus

import (
	"encoding/hex"
	"regexp"
	"strings"
	"testing"
)

func TestEncodingVectors(t *testing.T) {
	// BIP 173's P2WPKH example
	prog, _ := hex.DecodeString("751e76e8199196d454941c45d1b3a323f1433bd6")
	if got, want := segwitV0("bc", prog), "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"; got != want {
		t.Errorf("segwitV0 = %s, want %s", got, want)
	}
	// TRON: the zero address and the USDT (TRC-20) contract
	zero := make([]byte, 21)
	zero[0] = 0x41
	if got, want := base58Check(zero), "T9yD14Nj9j7xAB4dbGeiX9h8unkKHxuWwb"; got != want {
		t.Errorf("tron zero address = %s, want %s", got, want)
	}
	usdt, _ := hex.DecodeString("41a614f803b6fd780986a42c78ec9c7f77e6ded13c")
	if got, want := base58Check(usdt), "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"; got != want {
		t.Errorf("tron USDT contract = %s, want %s", got, want)
	}
	if got := base58([]byte{0, 0, 1}); got != "112" {
		t.Errorf("base58 leading zeros = %s", got)
	}
}

func TestDepositAddress(t *testing.T) {
	const id = "5b2b3b6e-6e0f-4d8f-9b0b-8f0c1d2e3f40"
	var (
		tron = regexp.MustCompile(`^T[1-9A-HJ-NP-Za-km-z]{33}$`)
		evm  = regexp.MustCompile(`^0x[0-9a-f]{40}$`)
		btc  = regexp.MustCompile(`^bc1q[qpzry9x8gf2tvdw0s3jn54khce6mua7l]{38}$`)
		ltc  = regexp.MustCompile(`^ltc1q[qpzry9x8gf2tvdw0s3jn54khce6mua7l]{38}$`)
		sol  = regexp.MustCompile(`^[1-9A-HJ-NP-Za-km-z]{32,44}$`)
		none = regexp.MustCompile(`^$`)
	)
	cases := []struct {
		currency, network string
		re                *regexp.Regexp
	}{
		{"USDT", "", tron},
		{"USDT", "tron", tron},
		{"USDT", "TRON", tron},
		{"TRX", "", tron},
		{"USDT", "bsc", evm},
		{"USDT", "eth", evm},
		{"ETH", "", evm},
		{"ETH", "arbitrum", evm},
		{"BTC", "", btc},
		{"BTC", "btc", btc},
		{"LTC", "", ltc},
		{"SOL", "", sol},
		{"USD", "", none},
		{"USD", "tron", tron},
		{"XYZ", "", evm},
		{"usdt", "", tron},
	}
	for _, c := range cases {
		got := DepositAddress(id, c.currency, c.network)
		if !c.re.MatchString(got) {
			t.Errorf("DepositAddress(%s, %s) = %q, want %s", c.currency, c.network, got, c.re)
		}
		if again := DepositAddress(id, c.currency, c.network); again != got {
			t.Errorf("DepositAddress(%s, %s) is not deterministic", c.currency, c.network)
		}
		if got != "" && DepositAddress(NewUUID(), c.currency, c.network) == got {
			t.Errorf("DepositAddress(%s, %s) ignores the uuid", c.currency, c.network)
		}
		if p := PayerAddress(id, c.currency, c.network); p == "" || p == got {
			t.Errorf("PayerAddress(%s, %s) = %q", c.currency, c.network, p)
		}
	}
	if btcA := DepositAddress(id, "BTC", ""); len(btcA) != 42 {
		t.Errorf("BTC address %s has %d characters, want 42", btcA, len(btcA))
	}
	if h := TxHash(id, "ETH", ""); !regexp.MustCompile(`^0x[0-9a-f]{64}$`).MatchString(h) {
		t.Errorf("EVM tx hash %q", h)
	}
	if h := TxHash(id, "USDT", "tron"); !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(h) {
		t.Errorf("tron tx hash %q", h)
	}
}

func TestNewUUID(t *testing.T) {
	v4 := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	seen := map[string]bool{}
	for range 1000 {
		u := NewUUID()
		if !v4.MatchString(u) {
			t.Fatalf("NewUUID = %s: not a lower-case v4 UUID", u)
		}
		if seen[u] {
			t.Fatalf("NewUUID repeated %s", u)
		}
		seen[u] = true
	}
}

func TestIsUUID(t *testing.T) {
	for s, want := range map[string]bool{
		DefaultMerchantUUID:                      true,
		strings.ToUpper(DefaultMerchantUUID):     true,
		"00000000-0000-0000-0000-000000000000":   true, // any version, like Laravel
		"8b03432e-385b-4670-8d06-06459109679":    false,
		"8b03432e-385b-4670-8d06-0645910967950":  false,
		"8b03432e_385b-4670-8d06-064591096795":   false,
		"8b03432e-385b-4670-8d06-06459109679z":   false,
		"{8b03432e-385b-4670-8d06-064591096795}": false,
		"":                                       false,
	} {
		if IsUUID(s) != want {
			t.Errorf("IsUUID(%q) = %v", s, !want)
		}
	}
}
