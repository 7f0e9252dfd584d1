import { createApp } from 'vue'
import { createPinia } from 'pinia'
import App from './App.vue'
import { i18n } from './i18n.js'
import { createAppRouter } from './router.js'
import './style.css'

// WebKitGTK navigates to a file dropped on the window and the UI is gone;
// cancelling the default keeps the page where it is.
window.addEventListener('dragover', (e) => e.preventDefault())
window.addEventListener('drop', (e) => e.preventDefault())

createApp(App).use(createPinia()).use(createAppRouter()).use(i18n).mount('#app')
