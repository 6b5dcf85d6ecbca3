// The Hub layer: Hub ids, the Python-compatible cache, downloads with resume and checks, and path resolution.
export { parseHubRef, formatHubRef, isCommitHash, type HubRef, type HubRepoType } from './hub-id.js';
export { hubSettings, type HubSettings } from './hub-settings.js';
export { HubError, type HubErrorKind } from './hub-error.js';
export { HubRepo, type HubRepoOptions } from './hub-repo.js';
export { defaultDownloadListener, type DownloadEvent, type DownloadListener } from './download-progress.js';
export { resolveHubFile, resolveModelPath, resolveTokenizerPath, MODEL_SIDE_FILES } from './resolve-model.js';
export { repoFolder, snapshotDir } from './hub-cache.js';
