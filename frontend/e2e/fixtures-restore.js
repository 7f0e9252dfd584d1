// Canned data for issue 7 (browse, restore, find, database restore, mounts,
// drills) served by desk-restore.js, in Go's snake_case JSON.
import { FLEET_ARCHIVES, FLEET_JOBS, FLEET_SERVERS, POPULATED_FLEET } from './fixtures.js'

const [WEB1, DB1, BUILD3, MAIL_OLD] = FLEET_SERVERS

// A third online server to restore onto.
export const WEB2 = {
  ...WEB1,
  id: 5,
  uuid: '6f1c3a52-0d7e-4a7e-9a51-1f0c5d1e0a05',
  name: 'web2',
  host: 'web2.example.lan',
  hostname: 'web2.example.lan',
  last_verified_at: '',
  verify_stale: false,
}

const entry = (path, type, size, extra = {}) => ({
  name: path.split('/').pop(),
  path,
  type,
  size,
  mtime: '2026-11-19T14:02:11Z',
  mode: type === 'd' ? 'drwxr-xr-x' : '-rw-r--r--',
  user: 'root',
  group: 'root',
  link_target: '',
  children: 0,
  ...extra,
})

// The tree of every web1 archive, one folder at a time, as BrowseArchive
// answers it. var/cache/thumbs is larger than the 5000 entries Go sends.
export const WEB_TREE = {
  '': [entry('etc', 'd', 0, { children: 2 }), entry('var', 'd', 0, { children: 2 })],
  etc: [entry('etc/nginx', 'd', 0, { children: 3 }), entry('etc/hosts', '-', 244)],
  'etc/nginx': [
    entry('etc/nginx/sites-enabled', 'd', 0, { children: 1 }),
    entry('etc/nginx/nginx.conf', '-', 1490, { mode: '-rw-r-----', group: 'www-data' }),
    entry('etc/nginx/dhparam.pem.gz', '-', 771),
  ],
  'etc/nginx/sites-enabled': [entry('etc/nginx/sites-enabled/shop', 'l', 34, { mode: 'lrwxrwxrwx', link_target: '../sites-available/shop' })],
  var: [entry('var/www', 'd', 0, { children: 1 }), entry('var/cache', 'd', 0, { children: 1 })],
  'var/www': [entry('var/www/index.html', '-', 5212, { user: 'www-data', group: 'www-data' })],
  'var/cache': [entry('var/cache/thumbs', 'd', 0, { children: 12480 })],
}
export const HUGE_DIR = { dir: 'var/cache/thumbs', total: 12480, limit: 5000 }

export const NGINX_CONF = `user www-data;
worker_processes auto;
pid /run/nginx.pid;

events {
\tworker_connections 768;
}

http {
\tsendfile on;
\tinclude /etc/nginx/sites-enabled/*;
}
`

const info = (a, fields) => ({ ...a, files: 48213, bytes: 1.532e9, deduplicated: 23.4e6, duration_sec: 250, indexed: true, dumps: [], ...fields })

export const DB_ARCHIVE = 'shop-db@2026-11-22T01.30.00Z'
export const PRUNED_ARCHIVE = 'etc-and-www@2026-11-20T03.05.00Z'

export const RESTORE_ARCHIVES = {
  [WEB1.uuid]: FLEET_ARCHIVES[WEB1.uuid].map((a, i) => info(a, { indexed: i !== 3, duration_sec: 250 + i * 11 })),
  [DB1.uuid]: FLEET_ARCHIVES[DB1.uuid].map((a) =>
    info(a, { files: 2, bytes: 2.87e9, deduplicated: 96.2e6, duration_sec: 72, dumps: ['mysql/shop.sql', 'mysql/shop_sessions.sql'] }),
  ),
}

const version = (archive, time, size, mtime) => ({ archive, time, size, mtime })

// What FindFiles answers, before the double filters by pattern and server.
export const HITS = [
  {
    server_uuid: WEB1.uuid,
    server_name: 'web1',
    path: 'etc/nginx/nginx.conf',
    type: '-',
    versions: [
      version('etc-and-www@2026-11-21T08.12.00Z', '2026-11-21T08:12:02Z', 1490, '2026-11-19T14:02:11Z'),
      version('etc-and-www@2026-11-21T03.00.00Z', '2026-11-21T03:00:03Z', 1490, '2026-11-19T14:02:11Z'),
      version('etc-and-www@2026-11-20T03.05.00Z', '2026-11-20T03:05:02Z', 1377, '2026-11-02T09:40:00Z'),
    ],
  },
  {
    server_uuid: WEB1.uuid,
    server_name: 'web1',
    path: 'etc/nginx/sites-enabled/shop.conf',
    type: '-',
    versions: [
      version('etc-and-www@2026-11-21T08.12.00Z', '2026-11-21T08:12:02Z', 611, '2026-11-10T10:00:00Z'),
      version('etc-and-www@2026-11-21T03.00.00Z', '2026-11-21T03:00:03Z', 587, '2026-11-02T10:00:00Z'),
    ],
  },
  {
    server_uuid: WEB1.uuid,
    server_name: 'web1',
    path: 'var/www/shop/logo.png',
    type: '-',
    versions: [
      version('etc-and-www@2026-11-21T08.12.00Z', '2026-11-21T08:12:02Z', 20480, '2026-11-15T09:00:00Z'),
      version('etc-and-www@2026-11-21T03.00.00Z', '2026-11-21T03:00:03Z', 18944, '2026-11-01T09:00:00Z'),
    ],
  },
  {
    server_uuid: DB1.uuid,
    server_name: 'db1',
    path: 'etc/mysql/my.cnf',
    type: '-',
    versions: [version('shop-db@2026-11-22T01.30.00Z', '2026-11-22T01:30:04Z', 839, '2026-10-01T08:00:00Z')],
  },
]

const A_NEW = 'etc-and-www@2026-11-21T08.12.00Z'
const A_MID = 'etc-and-www@2026-11-21T03.00.00Z'
const SHOP = 'etc/nginx/sites-enabled/shop.conf'
const compared = (path, from, to, fields) => ({ server: 'web1', path, from, to, identical: false, binary: false, too_large: false, limit: 1048576, diff: '', added: 0, removed: 0, ...fields })
const side = (archive, size, mtime) => ({ archive, size, mtime })

// A text change, as Go's unified diff writes it.
export const SHOP_DIFF = [
  `--- ${A_MID}/${SHOP}`,
  `+++ ${A_NEW}/${SHOP}`,
  '@@ -1,5 +1,6 @@',
  ' server {',
  '-    listen 80;',
  '+    listen 443 ssl;',
  '+    ssl_certificate /etc/ssl/shop.pem;',
  '     server_name shop.example.com;',
  '     root /var/www/shop;',
  ' }',
  '',
].join('\n')

// What Go's CompareFile answers, keyed "path from to"; the double refuses
// a pair that is not here, so a test cannot pass on an answer Go never gave.
export const COMPARISONS = {
  [`etc/nginx/nginx.conf ${A_MID} ${A_NEW}`]: compared('etc/nginx/nginx.conf', side(A_MID, 1490, '2026-11-19T14:02:11Z'), side(A_NEW, 1490, '2026-11-19T14:02:11Z'), { identical: true }),
  [`${SHOP} ${A_MID} ${A_NEW}`]: compared(SHOP, side(A_MID, 587, '2026-11-02T10:00:00Z'), side(A_NEW, 611, '2026-11-10T10:00:00Z'), { diff: SHOP_DIFF, added: 2, removed: 1 }),
  [`var/www/shop/logo.png ${A_MID} ${A_NEW}`]: compared('var/www/shop/logo.png', side(A_MID, 18944, '2026-11-01T09:00:00Z'), side(A_NEW, 20480, '2026-11-15T09:00:00Z'), { binary: true }),
}

export const DRILLS = [
  {
    id: 12,
    job_id: 1,
    job_name: 'etc-and-www',
    server_id: 1,
    server_uuid: WEB1.uuid,
    server_name: 'web1',
    archive: 'etc-and-www@2026-11-14T03.00.00Z',
    mode: 'sample',
    status: 'failed',
    started_at: '2026-11-14T05:00:00Z',
    finished_at: '2026-11-14T05:02:10Z',
    files: 48100,
    bytes: 1.52e9,
    checked: 500,
    mismatches: 2,
    error: '2 files differ from the archive: var/www/index.html, etc/hosts',
  },
]

export const RESTORE = {
  stepMs: 40,
  holdAt: '', // 'running': restore tasks stop there until releaseRestoreTasks
  tree: WEB_TREE,
  huge: HUGE_DIR,
  pruned: { [PRUNED_ARCHIVE]: '2026-11-21T09:00:00Z' },
  previews: { 'etc/nginx/nginx.conf': NGINX_CONF },
  hits: HITS,
  comparisons: COMPARISONS,
  drills: DRILLS,
  mounts: [],
  busyMounts: {},
  downloads: '/home/ops/Downloads',
}

export const RESTORE_FLEET = {
  ...POPULATED_FLEET,
  servers: [
    { ...WEB1, last_verified_at: '2026-11-10T05:02:00Z', verify_stale: true },
    { ...DB1, last_verified_at: '2026-11-21T05:00:00Z', verify_stale: false },
    BUILD3,
    { ...MAIL_OLD, last_verified_at: '', verify_stale: false },
    WEB2,
  ],
  jobs: FLEET_JOBS.map((j) => ({ ...j, drill_schedule: j.id === 1 ? '0 5 * * 0' : '' })),
  archives: RESTORE_ARCHIVES,
  restore: RESTORE,
}
