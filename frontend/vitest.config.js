import { defineConfig, mergeConfig } from 'vitest/config'
import viteConfig from './vite.config.js'

export default mergeConfig(
  viteConfig,
  defineConfig({
    test: {
      environment: 'happy-dom',
      include: ['src/**/*.spec.js', 'tests/unit/**/*.spec.js'],
      // Each test starts with fresh call records and the default behaviour of
      // every mock (vi.fn(impl) keeps impl).
      mockReset: true,
    },
  }),
)
