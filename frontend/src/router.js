import { createRouter, createWebHashHistory } from 'vue-router'
import DashboardPage from './pages/DashboardPage.vue'
import ServersPage from './pages/ServersPage.vue'
import JobsPage from './pages/JobsPage.vue'
import ArchivesPage from './pages/ArchivesPage.vue'
import RestorePage from './pages/RestorePage.vue'
import SettingsPage from './pages/SettingsPage.vue'
import ServerDetailPage from './pages/ServerDetailPage.vue'
import NewJobPage from './pages/NewJobPage.vue'
import JobDetailPage from './pages/JobDetailPage.vue'
import EditJobPage from './pages/EditJobPage.vue'
import FlxRestorePage from './pages/FlxRestorePage.vue'
import ArchiveBrowserPage from './pages/ArchiveBrowserPage.vue'
import FindPage from './pages/FindPage.vue'
import StoragePage from './pages/StoragePage.vue'
import TasksPage from './pages/TasksPage.vue'
import EventsPage from './pages/EventsPage.vue'

// Order and icons here drive the sidebar.
export const NAV_ITEMS = Object.freeze([
  { name: 'dashboard', path: '/', icon: 'dashboard', component: DashboardPage },
  { name: 'servers', path: '/servers', icon: 'server', component: ServersPage },
  { name: 'jobs', path: '/jobs', icon: 'clock', component: JobsPage },
  { name: 'archives', path: '/archives', icon: 'archive', component: ArchivesPage },
  { name: 'storage', path: '/storage', icon: 'drive', component: StoragePage },
  { name: 'restore', path: '/restore', icon: 'restore', component: RestorePage },
  { name: 'tasks', path: '/tasks', icon: 'history', component: TasksPage },
  { name: 'events', path: '/events', icon: 'bell', component: EventsPage },
  { name: 'find', path: '/find', icon: 'search', component: FindPage },
  { name: 'settings', path: '/settings', icon: 'settings', component: SettingsPage },
])

// Hash history: Wails serves the app from an embedded file system, where
// only "/" exists.
export function createAppRouter(history = createWebHashHistory()) {
  return createRouter({
    history,
    routes: [
      ...NAV_ITEMS.map(({ name, path, component }) => ({ name, path, component, meta: { nav: name } })),
      // ref is a server's uuid, name or id, as GetServer takes it.
      { name: 'server-detail', path: '/servers/:ref', component: ServerDetailPage, meta: { nav: 'servers' } },
      { name: 'job-new', path: '/jobs/new', component: NewJobPage, meta: { nav: 'jobs' } },
      // id is the job's numeric id, as RunJob and ListJobRuns take it.
      { name: 'job-detail', path: '/jobs/:id(\\d+)', component: JobDetailPage, meta: { nav: 'jobs' } },
      { name: 'job-edit', path: '/jobs/:id(\\d+)/edit', component: EditJobPage, meta: { nav: 'jobs' } },
      // id is the snapshot's id (its SHA-256), as OpenFlx answers it.
      { name: 'flx-restore', path: '/restore/flx/:id', component: FlxRestorePage, meta: { nav: 'restore' } },
      // server is the server's uuid, archive the archive's name, as
      // BrowseArchive takes them.
      { name: 'archive-browse', path: '/archives/:server/:archive', component: ArchiveBrowserPage, meta: { nav: 'archives' } },
      { path: '/:pathMatch(.*)*', redirect: '/' },
    ],
  })
}
