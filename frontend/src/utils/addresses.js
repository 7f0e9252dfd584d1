// The coordinator's addresses as Status reports them (service.Address: key,
// in_use, from, setting) against what the settings say now. Pure functions
// for the Settings page.

export const ADDRESS_KEYS = Object.freeze(['gateway.listen', 'ssh.listen', 'gateway.url'])
// Where an address came from when no flag or variable named it.
export const FROM_SETTING = 'setting'
export const FROM_DEFAULT = 'default'
// Set by tests and benchmarks that pass an address without naming a flag.
export const FROM_OPTION = 'option'

// addressState says what the Settings page shows beside one address
// setting: the address in use, where it came from, whether the setting
// changed since the start (a restart applies it) and whether a flag or an
// environment variable overrides the setting (it would win again).
export function addressState(addresses, key, current) {
  const a = (addresses ?? []).find((x) => x?.key === key)
  if (!a) return { known: false, inUse: '', from: '', source: '', pending: false, overridden: false }
  const overridden = ![FROM_SETTING, FROM_DEFAULT].includes(a.from)
  return {
    known: true,
    inUse: a.in_use ?? '',
    from: overridden ? 'explicit' : a.from,
    source: overridden ? a.from : '',
    pending: current !== undefined && current !== (a.setting ?? ''),
    overridden,
  }
}

// bareHost returns the host of a gateway URL when it is a bare name (no
// dot, not an IP address): "https://ops-laptop:8443" → "ops-laptop". Other
// machines find such a name only through local resolution (mDNS, a hosts
// file), so a server may not reach it. '' for a full name, an IP or
// something that is not a URL.
export function bareHost(url) {
  let host
  try {
    host = new URL(String(url ?? '').trim()).hostname
  } catch {
    return ''
  }
  // An IPv4 address has dots and an IPv6 one brackets: both are fine.
  if (!host || host.includes('.') || host.startsWith('[')) return ''
  return host
}
