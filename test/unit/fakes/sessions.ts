// An in-memory SessionStore without locks (unit tests run one call at a time). A cached name
// counts only while the fake engine still has that id under that name, as the engine's index.
import type { BoxRecord, SessionStore } from '../../../src/core/ports.js';
import type { FakeEngine } from './engine.js';

export class MemorySessions implements SessionStore {
  constructor(private readonly engine?: FakeEngine) {}
  names = new Map<string, string>();
  records = new Map<string, BoxRecord>();
  sessions = new Map<string, number>();
  /** live sessions of other processes, on every container */
  others = 0;

  resolve(name: string): string | undefined {
    const id = this.names.get(name);
    return id !== undefined && this.engine?.boxes.get(id)?.name === name ? id : undefined;
  }
  remember(name: string, id: string): void {
    this.names.set(name, id);
  }
  withNameLock<T>(_name: string, fn: () => Promise<T>): Promise<T> {
    return fn();
  }
  withLock<T>(_id: string, fn: () => Promise<T>): Promise<T> {
    return fn();
  }
  withWorkLock<T>(_id: string, fn: () => Promise<T>): Promise<T> {
    return fn();
  }
  addSession(id: string): void {
    this.sessions.set(id, (this.sessions.get(id) ?? 0) + 1);
  }
  removeSession(id: string): void {
    this.sessions.set(id, (this.sessions.get(id) ?? 1) - 1);
  }
  liveSessions(id: string): number {
    return (this.sessions.get(id) ?? 0) + this.others;
  }
  readRecord(id: string): BoxRecord | undefined {
    return this.records.get(id);
  }
  isLive(record: BoxRecord): boolean {
    return this.engine?.boxes.get(record.id)?.status === 'running';
  }
  processStart(): string | undefined {
    return '123';
  }
  writeRecord(record: BoxRecord): void {
    this.records.set(record.id, record);
  }
  forget(id: string): void {
    this.records.delete(id);
  }
  removed(id: string): void {
    this.records.delete(id);
    this.sessions.delete(id);
  }
}
