/**
 * Orthanc for native runs: Debian's Orthanc 1.10 + DICOMweb plugin (the packages docker/orthanc.Dockerfile
 * installs) with the project's docker/orthanc/orthanc.json, changed only where a native run must differ.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { deployFiles } from './paths';
import { freePort, type LoggedProcess, spawnLogged, waitFor } from './processes';
import { findTool } from './tools';

/** The binary and plugin of Debian's orthanc / orthanc-dicomweb packages (also in the image). */
export const ORTHANC_BINARY = '/usr/sbin/Orthanc';
export const ORTHANC_DICOMWEB_PLUGIN = '/usr/share/orthanc/plugins/libOrthancDicomWeb.so';

/**
 * The only keys a native run changes: a free port, temporary storage, loopback clients only (Orthanc 1.10
 * listens on every interface and has no bind-address option; with RemoteAccessAllowed false it refuses
 * every client that is not on this machine) and no DICOM port. Everything else, the credentials read by
 * Orthanc from ORTHANC_USERNAME / ORTHANC_PASSWORD included, is the container's configuration.
 */
export const nativeOrthancOverrides = [
  'HttpPort',
  'StorageDirectory',
  'IndexDirectory',
  'RemoteAccessAllowed',
  'DicomServerEnabled',
] as const;

export function renderNativeOrthancConfig(options: {
  httpPort: number;
  storageDir: string;
}): Record<string, unknown> {
  const config = JSON.parse(readFileSync(deployFiles.orthancConfig, 'utf8')) as Record<string, unknown>;
  return {
    ...config,
    HttpPort: options.httpPort,
    StorageDirectory: path.join(options.storageDir, 'storage'),
    IndexDirectory: path.join(options.storageDir, 'index'),
    RemoteAccessAllowed: false,
    DicomServerEnabled: false,
  };
}

export interface OrthancProcess {
  /** http://127.0.0.1:port */
  url: string;
  port: number;
  /** `${url}/dicom-web` (QIDO-RS / WADO-RS / STOW-RS root). */
  dicomWebUrl: string;
  username: string;
  password: string;
  /** The `Authorization` header value for Orthanc's user. */
  authorization: string;
  process: LoggedProcess;
  /** Stores one DICOM Part-10 file (POST /instances); returns Orthanc's answer. */
  upload(file: string): Promise<{ ID: string; ParentStudy: string; Status: string }>;
  /** Stops Orthanc and removes its storage. */
  stop(): Promise<void>;
}

export interface StartOrthancOptions {
  username?: string;
  /** Default: a random one. */
  password?: string;
  port?: number;
}

/** Starts Orthanc on 127.0.0.1 (a free port unless given) with temporary storage; resolves when it answers. */
export async function startOrthanc(options: StartOrthancOptions = {}): Promise<OrthancProcess> {
  const binary = findTool('Orthanc') ?? ORTHANC_BINARY;
  const username = options.username ?? 'orthanc';
  const password = options.password ?? randomBytes(12).toString('hex');
  const port = options.port ?? (await freePort());
  const storageDir = await mkdtemp(path.join(os.tmpdir(), 'ohif-sam2-orthanc-'));
  const configFile = path.join(storageDir, 'orthanc.json');
  await writeFile(
    configFile,
    JSON.stringify(renderNativeOrthancConfig({ httpPort: port, storageDir }), null, 2),
  );

  const child = spawnLogged(binary, [configFile], {
    cwd: storageDir,
    env: { PATH: process.env.PATH ?? '', ORTHANC_USERNAME: username, ORTHANC_PASSWORD: password },
  });
  const url = `http://127.0.0.1:${port}`;
  const authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  try {
    await waitFor(
      async () => {
        if (child.exited()) throw new Error(`Orthanc exited:\n${child.output()}`);
        const res = await fetch(`${url}/system`, { headers: { Authorization: authorization } }).catch(
          () => undefined,
        );
        return res?.status === 200;
      },
      30000,
      () => `Orthanc did not answer on ${url}:\n${child.output()}`,
    );
  } catch (error) {
    await child.stop();
    await rm(storageDir, { recursive: true, force: true });
    throw error;
  }

  return {
    url,
    port,
    dicomWebUrl: `${url}/dicom-web`,
    username,
    password,
    authorization,
    process: child,
    async upload(file) {
      const res = await fetch(`${url}/instances`, {
        method: 'POST',
        headers: { Authorization: authorization, 'Content-Type': 'application/dicom' },
        body: await readFile(file),
      });
      if (!res.ok) throw new Error(`Orthanc refused ${file}: ${res.status} ${await res.text()}`);
      return (await res.json()) as { ID: string; ParentStudy: string; Status: string };
    },
    async stop() {
      await child.stop('SIGTERM', 10000);
      await rm(storageDir, { recursive: true, force: true });
    },
  };
}
