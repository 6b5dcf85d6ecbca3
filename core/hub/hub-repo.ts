// HubRepo: files of one Hub repo at one revision, served from the cache when there, else downloaded into it.
// A revision resolved once is pinned by refs/<revision>; a cached file costs no request (GRAMR_HUB_REFRESH=1
// asks the Hub for the branch's current commit again). Offline (HF_HUB_OFFLINE=1) nothing is requested.
import { cachedCommit, cachedFile, blobPath, linkSnapshotFile, markAbsent, repoFolder, snapshotDir, writeRef } from './hub-cache.js';
import { downloadBlob, headFile } from './hub-download.js';
import { formatHubRef, type HubRepoType } from './hub-id.js';
import { HubError, httpError } from './hub-error.js';
import { hubSettings, type HubSettings } from './hub-settings.js';
import { defaultDownloadListener, type DownloadListener } from './download-progress.js';
import { existsSync } from 'node:fs';

/** Options of a HubRepo. */
export interface HubRepoOptions {
  /** Settings (default: from the environment). */
  settings?: HubSettings;
  /** Download progress (default: a bar on a TTY, JSON lines on stderr otherwise). */
  onProgress?: DownloadListener;
}

/** The files of one repo at one revision. */
export class HubRepo {
  /** Settings in use. */
  readonly settings: HubSettings;
  /** The repo's cache folder. */
  readonly folder: string;
  /** Requests made to the Hub so far. */
  requests = 0;
  private commit: string | undefined;
  private pinned = false;
  private readonly onProgress: DownloadListener;

  constructor(readonly type: HubRepoType, readonly repo: string, readonly revision: string, options: HubRepoOptions = {}) {
    this.settings = options.settings ?? hubSettings();
    this.folder = repoFolder(this.settings.cacheDir, type, repo);
    this.onProgress = options.onProgress ?? defaultDownloadListener();
  }

  /** `owner/name@rev` for messages. */
  get label(): string {
    return formatHubRef(this);
  }

  /** The snapshot folder (after a file was resolved). */
  async snapshot(): Promise<string> {
    const commit = await this.knownCommit();
    if (commit === undefined) throw new Error(`HubRepo ${this.label}: no commit resolved yet`);
    return snapshotDir(this.folder, commit);
  }

  private async knownCommit(): Promise<string | undefined> {
    if (this.commit === undefined && !(this.settings.refresh && !this.settings.offline)) this.commit = await cachedCommit(this.folder, this.revision);
    return this.commit;
  }

  /** The local path of `file` when the cache has it at the known commit; never makes a request. */
  async cached(file: string): Promise<string | undefined> {
    const commit = await this.knownCommit();
    if (commit === undefined) return undefined;
    const c = await cachedFile(this.folder, commit, file);
    return c.state === 'present' ? c.path : undefined;
  }

  /**
   * The local path of `file` (a snapshot entry), downloading it when the cache lacks it. An optional file the repo
   * lacks gives undefined; a required one a HubError naming the repo and the file.
   */
  async file(file: string, options: { optional?: boolean } = {}): Promise<string | undefined> {
    const commit = await this.knownCommit();
    if (commit !== undefined) {
      const c = await cachedFile(this.folder, commit, file);
      if (c.state === 'present') return c.path;
      if (c.state === 'absent' && options.optional) return undefined;
    }
    if (this.settings.offline) {
      if (options.optional) return undefined;
      throw new HubError('offline', `HF_HUB_OFFLINE is set and the cache lacks ${file} of ${this.label} ` +
        `(${commit === undefined ? `no snapshot of "${this.revision}" under ${this.folder}` : `not in ${snapshotDir(this.folder, commit)}`}): ` +
        'run once without HF_HUB_OFFLINE, or copy the snapshot into the cache (HF_HUB_CACHE or HF_HOME/hub)');
    }
    this.requests++;
    const remote = await headFile(this.settings, this, commit ?? this.revision, file);
    if (remote === undefined) {
      if (commit !== undefined) await markAbsent(this.folder, commit, file);
      if (options.optional) return undefined;
      throw httpError(this.settings, this, file, 404, 'EntryNotFound');
    }
    if (!this.pinned) {
      // The first answer fixes the commit; the other files are asked for at that commit.
      this.commit = remote.commit;
      this.pinned = true;
      await writeRef(this.folder, this.revision, remote.commit);
    }
    const blob = blobPath(this.folder, remote.etag);
    if (!existsSync(blob)) await downloadBlob(this.settings, this, file, remote, blob, this.onProgress);
    return linkSnapshotFile(this.folder, remote.commit, file, remote.etag);
  }
}
