/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import preact from "@preact/preset-vite";

export default defineConfig({
  plugins: [preact()],
  build: {
    target: "es2022",
    // One small entry chunk for the sign-in screen; the rest of the portal loads on demand.
    modulePreload: { polyfill: false },
    reportCompressedSize: true,
    rollupOptions: {
      output: {
        // pdf.js's worker arrives as `.mjs` (a `?url` asset): named `.js` in the build so every
        // server (the local portal, S3 behind CloudFront) sends it as JavaScript, which a module
        // worker requires.
        assetFileNames: (asset) => ((asset.names?.[0] ?? asset.name ?? "").endsWith(".mjs") ? "assets/[name]-[hash].js" : "assets/[name]-[hash][extname]"),
      },
    },
  },
  test: {
    environment: "jsdom",
    include: ["test/**/*.test.ts", "test/**/*.test.tsx"],
  },
});
