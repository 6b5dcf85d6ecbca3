// Acquiring a WebGPU device through Dawn's Node.js bindings (npm `webgpu`): tries each adapter path in order (a real
// GPU through Dawn's default backends, then OpenGL / OpenGL ES on Mesa's llvmpipe with EGL surfaceless, the software
// path measured on the project's GPU-less machines; docs/webgpu.md) and keeps every failure reason. Keeps a strong reference to each `create()` result
// for the life of the process: Dawn crashes in ProcessEvents if that object is garbage collected.

/** One way of getting an adapter. */
export interface AdapterPath {
  /** Name used in options and messages (`default`, `vulkan`, `opengl`, `opengles`, ...). */
  name: string;
  /** Dawn toggles given to `create()`. */
  flags: string[];
  /** `requestAdapter` feature level: core or compatibility (GL paths need compatibility). */
  featureLevel: 'core' | 'compatibility';
}

/** Paths tried by `adapter: 'auto'`, in order. */
export const AUTO_PATHS: readonly AdapterPath[] = [
  { name: 'default', flags: [], featureLevel: 'core' },
  { name: 'opengl', flags: ['backend=opengl'], featureLevel: 'compatibility' },
  { name: 'opengles', flags: ['backend=opengles'], featureLevel: 'compatibility' },
];

/** Named paths a user may ask for (`adapter: <name>`). */
export const NAMED_PATHS: Readonly<Record<string, AdapterPath>> = {
  default: AUTO_PATHS[0]!,
  vulkan: { name: 'vulkan', flags: ['backend=vulkan'], featureLevel: 'core' },
  opengl: AUTO_PATHS[1]!,
  opengles: AUTO_PATHS[2]!,
  d3d12: { name: 'd3d12', flags: ['backend=d3d12'], featureLevel: 'core' },
  metal: { name: 'metal', flags: ['backend=metal'], featureLevel: 'core' },
};

/** Adapter names accepted by the `adapter` option. */
export const ADAPTER_CHOICES = ['auto', ...Object.keys(NAMED_PATHS)] as const;

/** What the backend got. */
export interface AcquiredDevice {
  /** The device. */
  device: GPUDevice;
  /** The path that worked. */
  path: AdapterPath;
  /** One line describing the adapter (vendor, device, description). */
  adapter: string;
  /** True for a software rasterizer (llvmpipe, lavapipe, SwiftShader). */
  software: boolean;
  /** Every path tried before it, with the reason it failed. */
  failures: string[];
}

// Strong references to every GPU instance ever created (see the file header): never released.
const instances: GPU[] = [];
let globalsInstalled = false;
// Paths that gave no adapter in this process, with the reason: not retried (the answer does not change while the
// process lives, and Dawn would print its complaint again each time).
const knownFailures = new Map<string, string>();

interface WebGpuModule { create(flags: string[]): GPU; globals: Record<string, unknown> }

async function loadModule(): Promise<WebGpuModule> {
  try {
    return (await import('webgpu')) as unknown as WebGpuModule;
  } catch (e) {
    throw new Error(`cannot load the npm package 'webgpu' (Dawn's Node.js bindings): ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** The limits worth raising above WebGPU's defaults (storage buffers per stage, workgroup memory, buffer sizes). */
const RAISED_LIMITS = [
  'maxStorageBuffersPerShaderStage', 'maxComputeWorkgroupStorageSize', 'maxStorageBufferBindingSize', 'maxBufferSize',
  'maxComputeInvocationsPerWorkgroup', 'maxComputeWorkgroupSizeX', 'maxComputeWorkgroupSizeY',
] as const;

/**
 * Acquires a device on the first path of `paths` that gives one; throws listing every path and why it failed.
 * `onUncaptured` receives device errors raised outside an error scope.
 */
export async function acquireDevice(paths: readonly AdapterPath[], onLost: (reason: string) => void): Promise<AcquiredDevice> {
  const mod = await loadModule();
  if (!globalsInstalled) {
    // GPUBufferUsage, GPUMapMode, GPUShaderStage, ... as globals, like in a browser.
    for (const [k, v] of Object.entries(mod.globals)) if (!(k in globalThis)) (globalThis as Record<string, unknown>)[k] = v;
    globalsInstalled = true;
  }
  const failures: string[] = [];
  for (const path of paths) {
    const known = knownFailures.get(path.name);
    if (known) { failures.push(known); continue; }
    try {
      if (path.flags.some((f) => f.startsWith('backend=opengl'))) process.env.EGL_PLATFORM ??= 'surfaceless';
      const gpu = mod.create(path.flags);
      instances.push(gpu);
      const adapter = await gpu.requestAdapter({ featureLevel: path.featureLevel, powerPreference: 'high-performance' });
      if (!adapter) {
        const why = `${path.name} (create([${path.flags.join(', ')}]), featureLevel ${path.featureLevel}): no adapter (Dawn prints its reason on stderr)`;
        knownFailures.set(path.name, why);
        failures.push(why);
        continue;
      }
      const requiredLimits: Record<string, number> = {};
      for (const k of RAISED_LIMITS) requiredLimits[k] = adapter.limits[k];
      const device = await adapter.requestDevice({ requiredLimits });
      void device.lost.then((info) => { if (info.reason !== 'destroyed') onLost(`${info.reason}: ${info.message}`); });
      const i = adapter.info;
      const adapterLine = [i.vendor, i.architecture, i.device, i.description].filter((s) => s).join(' / ') || 'unnamed adapter';
      const software = /llvmpipe|lavapipe|swiftshader|software/i.test(adapterLine);
      return { device, path, adapter: `${adapterLine} via ${path.name}`, software, failures };
    } catch (e) {
      failures.push(`${path.name} (create([${path.flags.join(', ')}])): ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const hint = 'on a machine without a GPU the OpenGL path needs Mesa (libegl-mesa0, libgl1-mesa-dri); Vulkan lavapipe needs Mesa >= 25';
  throw new Error(`webgpu: no adapter. Tried:\n${failures.map((f) => `  - ${f}`).join('\n')}\n(${hint})`);
}
