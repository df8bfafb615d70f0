// Types for Vite's `?url` imports and CSS side-effect imports.
/// <reference types="vite/client" />
