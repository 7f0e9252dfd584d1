// How good a recovery kit passphrase looks, for the hint under the field.
// Go has the last word (recoverykit.CheckPassphrase: at least
// MIN_PASSPHRASE characters); this only helps the operator choose.

// MIN_PASSPHRASE mirrors recoverykit.MinPassphrase in Go.
export const MIN_PASSPHRASE = 12

// Levels, weakest first; 'short' cannot be used at all.
export const STRENGTHS = Object.freeze(['short', 'weak', 'fair', 'strong'])

// passphraseStrength estimates the bits an attacker must guess: the length
// times the alphabet the characters come from, halved when few different
// characters repeat ("aaaaaaaaaaaa"). Long phrases of words score well.
export function passphraseStrength(p) {
  const chars = [...(p ?? '')]
  if (chars.length < MIN_PASSPHRASE) return { level: 'short', bits: 0 }
  let alphabet = 0
  if (chars.some((c) => /[a-z]/.test(c))) alphabet += 26
  if (chars.some((c) => /[A-Z]/.test(c))) alphabet += 26
  if (chars.some((c) => /[0-9]/.test(c))) alphabet += 10
  if (chars.some((c) => /[^a-zA-Z0-9]/.test(c))) alphabet += 33
  let bits = chars.length * Math.log2(Math.max(alphabet, 2))
  if (new Set(chars).size < chars.length / 3) bits /= 2
  bits = Math.round(bits)
  const level = bits >= 90 ? 'strong' : bits >= 65 ? 'fair' : 'weak'
  return { level, bits }
}
