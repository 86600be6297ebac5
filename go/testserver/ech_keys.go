package main

import (
	"crypto/ecdh"
	"crypto/rand"
	"crypto/tls"
	"encoding/binary"
)

// ECH for the tests: a crypto/tls server holding one ECH key (X25519, HKDF-SHA256,
// AES-128-GCM), whose configuration the DNS server publishes; and a stale configuration,
// of a key the server never had, which it must reject (answering with its retry configs).
const echPublicName = "public.ech.test"

type echKeys struct {
	current   tls.EncryptedClientHelloKey
	list      []byte // ECHConfigList holding current's configuration
	staleList []byte // ECHConfigList of a key the server does not hold
}

func newECHKeys() (*echKeys, error) {
	key, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	stale, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	config := echConfig(1, key.PublicKey().Bytes(), echPublicName)
	return &echKeys{
		current:   tls.EncryptedClientHelloKey{Config: config, PrivateKey: key.Bytes(), SendAsRetry: true},
		list:      echConfigList(config),
		staleList: echConfigList(echConfig(2, stale.PublicKey().Bytes(), echPublicName)),
	}, nil
}

// echConfig encodes one ECHConfig (version 0xfe0d, RFC 9849 section 4).
func echConfig(id uint8, publicKey []byte, publicName string) []byte {
	var c []byte
	c = append(c, id)
	c = binary.BigEndian.AppendUint16(c, 0x0020) // KEM: DHKEM(X25519, HKDF-SHA256)
	c = binary.BigEndian.AppendUint16(c, uint16(len(publicKey)))
	c = append(c, publicKey...)
	c = binary.BigEndian.AppendUint16(c, 4)      // one cipher suite:
	c = binary.BigEndian.AppendUint16(c, 0x0001) // HKDF-SHA256
	c = binary.BigEndian.AppendUint16(c, 0x0001) // AES-128-GCM
	c = append(c, 0)                             // maximum_name_length: let the client pad
	c = append(c, byte(len(publicName)))
	c = append(c, publicName...)
	c = binary.BigEndian.AppendUint16(c, 0) // no extensions
	out := binary.BigEndian.AppendUint16(nil, 0xfe0d)
	out = binary.BigEndian.AppendUint16(out, uint16(len(c)))
	return append(out, c...)
}

func echConfigList(configs ...[]byte) []byte {
	var body []byte
	for _, c := range configs {
		body = append(body, c...)
	}
	return append(binary.BigEndian.AppendUint16(nil, uint16(len(body))), body...)
}
