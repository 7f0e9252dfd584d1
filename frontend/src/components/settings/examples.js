// Examples shown in empty fields that are the same in every language: Go
// durations and a port number.
export const EXAMPLES = Object.freeze({
  port: '587',
  offline: '30m',
  rpo: '26h',
  rpoServer: '12h',
})
