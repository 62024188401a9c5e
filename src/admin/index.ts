/** The admin surface: page and JSON API at /admin on the certificate origin (docs/admin.md). */
export { adminRoutes, type AdminDependencies } from './routes.js';
export { adminEnabled, type AdminSettings } from './settings.js';
export { previewCertificate, type PreviewResult } from './preview.js';
