import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type TDatabase } from '../db/database';
import { gatePublicHost, ImageRepositoryService } from './registry-service';

const project = { id: 'p1', name: 'team-a' };
let db: TDatabase;
let dir: string;
const services: ImageRepositoryService[] = [];

function service(gatePort: number) {
  db = openDatabase(':memory:');
  db.prepare("INSERT INTO domains (id, name, created_at) VALUES ('d', 'anvil', 0)").run();
  db.prepare("INSERT INTO projects (id, domain_id, name, created_at) VALUES (?, 'd', ?, 0)").run(project.id, project.name);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'anvil-images-'));
  const s = new ImageRepositoryService(db, { dir, gate: { host: '127.0.0.1', port: gatePort }, publicHost: '127.0.0.1', binary: '/nonexistent/docker-registry' });
  services.push(s);
  return s;
}

afterEach(async () => {
  await Promise.all(services.splice(0).map((s) => s.close()));
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('the image repository without docker-registry', () => {
  it('says why on the status, and the gate answers 503 in the registry error shape', async () => {
    const s = service(0);
    await s.open();
    expect(s.status()).toEqual({ mode: 'managed', address: `127.0.0.1:${s.gate.port()}`, problem: { code: 'not-installed', detail: expect.stringContaining('ANVIL_REGISTRY_URL') } });
    const { username, password } = s.credential(project);
    const authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
    const res = await fetch(`http://${s.address()}/v2/team-a/app/tags/list`, { headers: { authorization } });
    expect(res.status).toBe(503);
    expect(((await res.json()) as { errors: { code: string }[] }).errors[0].code).toBe('UNAVAILABLE');
    expect((await fetch(`http://${s.address()}/v2/`, { headers: { authorization } })).status).toBe(200);
    await expect(s.listRepositories(project)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('reports a gate port that is taken instead of failing to start', async () => {
    const taken = http.createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const { port } = taken.address() as import('node:net').AddressInfo;
    try {
      const s = service(port);
      await s.open();
      expect(s.status().problem).toEqual({ code: 'gate-unavailable', detail: expect.stringContaining('EADDRINUSE') });
    } finally {
      taken.close();
    }
  });
});

describe('the address users push to', () => {
  it("is the gate's host, or the public URL's when the gate listens everywhere", () => {
    expect(gatePublicHost('127.0.0.1', 'https://anvil.example.com')).toBe('127.0.0.1');
    expect(gatePublicHost('0.0.0.0', 'https://anvil.example.com:8443')).toBe('anvil.example.com');
    expect(gatePublicHost('0.0.0.0', undefined)).toBe('127.0.0.1');
    expect(gatePublicHost('::1', undefined)).toBe('[::1]');
  });
});
