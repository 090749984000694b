// Package pii handles citizens' personal information: resident ID numbers,
// mobile phone numbers and unified social credit codes (validation and
// normalisation), masking for display, and encryption at rest.
//
// # Why
//
// Under the Personal Information Protection Law (个人信息保护法) identity
// document numbers are sensitive personal information (art. 28) that must be
// encrypted or de-identified and access-restricted (art. 51), and anything
// shown publicly (queue screens, progress look-ups, exports) shows names and
// numbers masked.
//
// # Rules and sources
//
//   - Resident ID number, GB 11643-1999 (公民身份号码): 6-digit region code,
//     8-digit birth date YYYYMMDD, 3-digit sequence whose last digit is odd
//     for men and even for women, and a check character: the sum of the
//     first 17 digits times the weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2,
//     mod 11, indexes "10X98765432" (ISO 7064 MOD 11-2). The region code is
//     not checked against the list of regions, which changes over time.
//     Old 15-digit numbers are not accepted.
//   - Mobile number: 11 digits matching ^1[3-9]\d{9}$, after removing
//     spaces, dashes and a leading +86 / 0086 / 86.
//   - Unified social credit code, GB 32100-2015 (统一社会信用代码): 18
//     characters from "0123456789ABCDEFGHJKLMNPQRTUWXY" (no I, O, S, V, Z);
//     the check character is 31 − (Σ value×weight mod 31) with weights 1 3 9
//     27 19 26 16 17 20 29 25 13 8 24 10 30 28, and 31 written as 0.
//
// Input typed on Chinese keyboards often arrives in full-width form
// (１２３, Ｘ); all parsers fold full-width ASCII to ASCII first.
//
// # Encryption
//
// A Sealer encrypts with AES-256-GCM under the current key of a Keyring,
// with a random 96-bit nonce; each ciphertext starts with a format byte and
// the key id, so that keys can be rotated: old keys stay in the ring to
// open old ciphertexts, and Rotate re-seals them under the current key.
//
// Blind gives a keyed HMAC-SHA256 of a value (a "blind index") so that the
// store can look up a person by exact ID number without decrypting every
// row. Its key, the lookup key, is separate from the encryption keys and is
// never rotated: rotating it would require recomputing every index from the
// plaintexts. Key material is loaded from the MINGBAI_PII_KEY environment
// variable or a key file (see ParseKeyring for the format).
package pii
