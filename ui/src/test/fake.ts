// A fake Rust side for component tests: canned answers per command, every call recorded.
import { setTransport, type Transport } from "../lib/api";

export type Handlers = Record<string, (args: Record<string, unknown>) => unknown>;

export function fakeBackend(handlers: Handlers) {
  const calls: { cmd: string; args: Record<string, unknown> }[] = [];
  const listeners = new Map<string, ((p: unknown) => void)[]>();
  const t: Transport = {
    async invoke<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
      calls.push({ cmd, args: args ?? {} });
      const h = handlers[cmd];
      if (!h) throw { code: "not_found", message: `no fake for ${cmd}`, fix: null };
      return (await h(args ?? {})) as T;
    },
    async listen<T>(event: string, handler: (p: T) => void) {
      const l = listeners.get(event) ?? [];
      l.push(handler as (p: unknown) => void);
      listeners.set(event, l);
      return () => {};
    },
  };
  setTransport(t);
  return {
    calls,
    emit: (event: string, payload: unknown) => listeners.get(event)?.forEach((h) => h(payload)),
  };
}

/** Let promises settle and Svelte apply what they changed. */
export async function settle(flush: () => void, rounds = 5) {
  for (let i = 0; i < rounds; i++) {
    await new Promise((r) => setTimeout(r, 0));
    flush();
  }
}
