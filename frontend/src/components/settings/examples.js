// Examples shown in empty fields that are the same in every language: Go
// durations, port numbers, addresses and paths.
export const EXAMPLES = Object.freeze({
  port: '587',
  offline: '30m',
  rpo: '26h',
  rpoServer: '12h',
  gatewayListen: ':8443',
  sshListen: ':2222',
  gatewayUrl: 'https://desk.example.lan:8443',
  dataDir: '/srv/borgdesk',
})
