import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DomainBus } from '../bus';
import { openDatabase, type TDatabase } from '../db/database';
import { Directory } from './directory';
import { Iam } from './iam';

let db: TDatabase;
let bus: DomainBus;
let iam: Iam;
let directory: Directory;
const login = (userName: string, password: string, project?: { name: string }) =>
  Promise.resolve().then(() => iam.authenticate({ domainName: 'anvil', userName, password, project, clientAddress: 'test' }));

beforeEach(() => {
  db = openDatabase(':memory:');
  bus = new DomainBus();
  iam = new Iam(db, bus);
  iam.bootstrap('admin-password');
  directory = new Directory(db, iam);
});
afterEach(() => db.close());

describe('users and projects', () => {
  it('bootstraps admin as an administrator and a member of default on a fresh database', async () => {
    const [admin] = directory.listUsers();
    expect(admin).toMatchObject({ name: 'admin', isAdmin: true, projects: [{ name: 'default' }] });
    expect((await login('admin', 'admin-password')).projectName).toBe('default');
  });

  it('refuses to remove a user from their last project (they could never log in again)', async () => {
    const admin = directory.findUser('admin')!;
    const defaultProject = directory.findProject('default')!;
    expect(() => directory.removeMember({ userId: admin.id, projectId: defaultProject.id })).toThrow('A user must stay a member of at least one project');
    expect((await login('admin', 'admin-password')).projectName).toBe('default');
    const b = directory.createProject({ name: 'spare' });
    directory.addMember({ userId: admin.id, projectId: b.id });
    expect(directory.removeMember({ userId: admin.id, projectId: defaultProject.id }).projects.map((p) => p.name)).toEqual(['spare']);
  });

  it('lets a user scope a token only to the projects they are a member of', async () => {
    const b = directory.createProject({ name: 'team-b' });
    const bob = await directory.createUser({ name: 'bob', password: 'bob-password', projectIds: [b.id] });
    expect(bob).toMatchObject({ isAdmin: false, projects: [{ id: b.id, name: 'team-b' }] });
    // Without a project the user's only project is chosen; default is refused with 403.
    expect((await login('bob', 'bob-password')).projectId).toBe(b.id);
    await expect(login('bob', 'bob-password', { name: 'default' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(login('admin', 'admin-password', { name: 'team-b' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    directory.addMember({ userId: directory.findUser('admin')!.id, projectId: b.id });
    expect((await login('admin', 'admin-password', { name: 'team-b' })).projectId).toBe(b.id);
  });

  it('revokes the tokens a removed membership, a reset password or a deleted user allowed, and announces it', async () => {
    const b = directory.createProject({ name: 'team-b' });
    const defaultId = directory.findProject('default')!.id;
    const bob = await directory.createUser({ name: 'bob', password: 'bob-password', projectIds: [b.id, defaultId] });
    const revoked: string[] = [];
    bus.on('token.revoked', (e) => revoked.push(`${e.kind}:${e.projectId === b.id ? 'b' : 'default'}`));
    const inB = iam.issueToken(await login('bob', 'bob-password', { name: 'team-b' }), 'session');
    const inDefault = iam.issueToken(await login('bob', 'bob-password', { name: 'default' }), 'api');
    directory.removeMember({ userId: bob.id, projectId: b.id });
    expect(iam.resolveToken(inB.token, 'session')).toBeUndefined();
    expect(iam.resolveToken(inDefault.token, 'api')).toMatchObject({ identity: { userName: 'bob' } });
    expect(revoked).toEqual(['session:b']);
    await directory.resetPassword({ userId: bob.id, password: 'new-password' });
    expect(iam.resolveToken(inDefault.token, 'api')).toBeUndefined();
    await expect(login('bob', 'bob-password', { name: 'default' })).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    const again = iam.issueToken(await login('bob', 'new-password', { name: 'default' }), 'session');
    directory.deleteUser(directory.findUser('admin')!.id, bob.id);
    expect(iam.resolveToken(again.token, 'session')).toBeUndefined();
    expect(revoked).toEqual(['session:b', 'api:default', 'session:default']);
    expect(directory.findUser('bob')).toBeUndefined();
  });

  it('never deletes the caller or the last administrator', async () => {
    const admin = directory.findUser('admin')!;
    expect(() => directory.deleteUser(admin.id, admin.id)).toThrow('You cannot delete your own user.');
    expect(() => directory.deleteUser(undefined, admin.id)).toThrow('The last administrator cannot be deleted.');
    const second = await directory.createUser({ name: 'root2', password: 'root2-password', isAdmin: true, projectIds: ['default'] });
    directory.deleteUser(second.id, admin.id);
    expect(directory.listUsers().map((u) => u.name)).toEqual(['root2']);
  });

  it('refuses bad input with the field, like the console forms', async () => {
    expect(() => directory.createProject({ name: 'Bad Name' })).toThrow(expect.objectContaining({ field: 'name' }));
    expect(() => directory.createProject({ name: 'default' })).toThrow(expect.objectContaining({ code: 'CONFLICT', field: 'name' }));
    await expect(directory.createUser({ name: 'x', password: 'short', projectIds: ['default'] })).rejects.toMatchObject({ field: 'password' });
    await expect(directory.createUser({ name: 'admin', password: 'long-enough', projectIds: ['default'] })).rejects.toMatchObject({ code: 'CONFLICT', field: 'name' });
    await expect(directory.createUser({ name: 'carol', password: 'long-enough', projectIds: ['nope'] })).rejects.toMatchObject({ field: 'projectIds' });
    await expect(directory.createUser({ name: 'carol', password: 'long-enough', projectIds: [] })).rejects.toMatchObject({ field: 'projectIds' });
  });
});
