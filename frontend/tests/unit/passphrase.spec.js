import { describe, expect, it } from 'vitest'
import { MIN_PASSPHRASE, passphraseStrength } from '@/utils/passphrase.js'

describe('passphraseStrength', () => {
  it.each([
    ['', 'short'],
    ['eleven char', 'short'],
    ['aaaaaaaaaaaa', 'weak'],
    ['abcdefghijkl', 'weak'],
    ['correcthorsebattery', 'fair'],
    ['Summer2024!!', 'fair'],
    ['orange tractor seven lanterns', 'strong'],
    ['correct horse battery staple', 'strong'],
  ])('%j is %s', (p, level) => {
    expect(passphraseStrength(p).level).toBe(level)
  })

  it('counts characters, not bytes, as Go does', () => {
    expect(MIN_PASSPHRASE).toBe(12)
    expect(passphraseStrength('ééééééééééé').level).toBe('short')
    expect(passphraseStrength('éàüöçñøåß€½ç').level).not.toBe('short')
  })
})
