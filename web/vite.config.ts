// Vite build of the linli web pages. The linli server serves dist/ itself and
// falls back to index.html for unknown non-/api paths, so the app lives at '/'.
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

const server = 'http://127.0.0.1:8080'

// Vant's icon font names a copy on another host (at.alicdn.com) after the one inside its CSS. The
// pages' Content-Security-Policy (font-src 'self' data:, src/server/http.c) refuses it, and browsers
// report that even though they use the first; no page of linli loads from another host anyway. So
// the fallback is cut out of the CSS here.
const noRemoteFonts = {
  name: 'linli-no-remote-fonts',
  enforce: 'pre' as const,
  transform(code: string, id: string) {
    if (!/[\\/]vant[\\/].*\.css$/.test(id)) return null
    return { code: code.replace(/,\s*url\((?:https?:)?\/\/at\.alicdn\.com\/[^)]*\)\s*format\("woff"\)/g, ''), map: null }
  },
}

export default defineConfig({
  base: '/',
  plugins: [vue(), noRemoteFonts],
  define: {
    __VUE_I18N_FULL_INSTALL__: true,
    __VUE_I18N_LEGACY_API__: false,
    __INTLIFY_PROD_DEVTOOLS__: false,
    __VUE_OPTIONS_API__: true,
    __VUE_PROD_DEVTOOLS__: false,
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: false,
  },
  server: {
    proxy: {
      '/api': { target: server, changeOrigin: false },
      '/healthz': { target: server, changeOrigin: false },
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2020',
    chunkSizeWarningLimit: 900,
  },
})
