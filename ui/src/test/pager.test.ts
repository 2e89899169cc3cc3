import { describe, expect, it, vi } from "vitest";
import type { IncidentPage } from "../bindings/IncidentPage";
import type { IncidentQuery } from "../bindings/IncidentQuery";
import type { IncidentRow } from "../bindings/IncidentRow";
import { FIRST_PAGE, IncidentPager, NO_FILTERS } from "../lib/pager";

function row(id: number): IncidentRow {
  return { id, title: `i${id}`, severity: "low", status: "new", tenant_id: "t", company: "C", created_at: "2026-11-25T00:00:00Z", psa_ticket_id: null, sync: "local" };
}

/** A database of `total` incidents with ids 1..total; answers are held until released. */
function source(total: number) {
  const calls: IncidentQuery[] = [];
  const pending: (() => void)[] = [];
  const fetch = vi.fn((q: IncidentQuery): Promise<IncidentPage> => {
    calls.push(q);
    return new Promise((resolve) => {
      pending.push(() => {
        const rows: IncidentRow[] = [];
        for (let i = q.offset; i < Math.min(total, q.offset + q.limit); i++) rows.push(row(i + 1));
        resolve({ total, rows });
      });
    });
  });
  const release = async () => {
    while (pending.length) pending.shift()?.();
    await Promise.resolve();
    await Promise.resolve();
  };
  return { fetch, calls, release };
}

describe("IncidentPager", () => {
  it("fetches pages of 200 covering what the list shows, once each", async () => {
    const s = source(100_000);
    const p = new IncidentPager(s.fetch);
    void p.ensure(0, 30);
    void p.ensure(0, 30);
    expect(s.calls).toEqual([{ ...NO_FILTERS, offset: 0, limit: 200 }]);
    await s.release();
    expect(p.total).toBe(100_000);
    expect(p.row(0)?.id).toBe(1);
    expect(p.row(199)?.id).toBe(200);
    expect(p.row(200)).toBeUndefined();

    void p.ensure(190, 230); // straddles pages 0 and 1: only page 1 is new
    expect(s.calls.map((c) => c.offset)).toEqual([0, 200]);
    await s.release();
    expect(p.row(229)?.id).toBe(230);
  });

  it("uses a first page fetched before it existed without asking for it again", async () => {
    const s = source(1_000);
    const early = s.fetch(FIRST_PAGE);
    await s.release();
    const p = new IncidentPager(s.fetch);
    p.seed(await early);
    expect(p.total).toBe(1_000);
    expect(p.row(199)?.id).toBe(200);
    void p.ensure(0, 30);
    expect(s.calls).toHaveLength(1);
    void p.ensure(190, 230);
    expect(s.calls.map((c) => c.offset)).toEqual([0, 200]);
  });

  it("takes a first page still on its way as page 0's request, without asking again", async () => {
    const s = source(1_000);
    const early = s.fetch(FIRST_PAGE);
    const p = new IncidentPager(s.fetch);
    p.seed(early);
    void p.ensure(0, 30);
    expect(s.calls).toHaveLength(1);
    expect(p.row(0)).toBeUndefined();
    await s.release();
    expect(p.total).toBe(1_000);
    expect(p.row(199)?.id).toBe(200);
    expect(s.calls).toHaveLength(1);
  });

  it("keeps a small cache and never drops the pages on screen", async () => {
    const s = source(100_000);
    const p = new IncidentPager(s.fetch, NO_FILTERS, { maxPages: 3 });
    for (const page of [0, 10, 20, 30, 40]) {
      void p.ensure(page * 200, page * 200 + 20);
      await s.release();
    }
    expect(p.cachedPages()).toEqual([20, 30, 40]);
    // Scrolling deep into 100,000 rows asks for the page there, not everything before it.
    void p.ensure(99_990, 100_010);
    expect(s.calls.at(-1)).toMatchObject({ offset: 99_800, limit: 200 });
    await s.release();
    expect(p.row(99_999)?.id).toBe(100_000);
    expect(p.cachedPages()).toContain(499);
  });

  it("drops answers for filters that are no longer on", async () => {
    const s = source(1000);
    const p = new IncidentPager(s.fetch);
    void p.ensure(0, 10);
    p.setFilters({ ...NO_FILTERS, severity: "critical" });
    expect(p.total).toBeNull();
    await s.release(); // the old answer arrives late
    expect(p.row(0)).toBeUndefined();
    void p.ensure(0, 10);
    expect(s.calls.at(-1)).toMatchObject({ severity: "critical", offset: 0 });
    await s.release();
    expect(p.row(0)?.id).toBe(1);
  });

  it("refreshes the pages on screen and the ones holding changed incidents, and drops the rest", async () => {
    const s = source(1000);
    const onChange = vi.fn();
    const p = new IncidentPager(s.fetch, NO_FILTERS, { onChange });
    void p.ensure(0, 10);
    await s.release();
    void p.ensure(400, 410); // on screen now: page 2
    await s.release();
    s.calls.length = 0;
    void p.refresh([5]); // page 0 holds it
    expect(s.calls.map((c) => c.offset).sort()).toEqual([0, 400]);
    expect(p.row(405)?.id).toBe(406); // old row stays while the new one loads
    await s.release();
    s.calls.length = 0;
    void p.refresh([5000]); // a new incident: the page on screen is fetched, page 0 is dropped
    expect(s.calls.map((c) => c.offset)).toEqual([400]);
    expect(p.cachedPages()).toEqual([2]);
    await s.release();
    expect(onChange).toHaveBeenCalled();
    expect(p.indexOf(406)).toBe(405);
    s.calls.length = 0;
    void p.refresh(); // everything changed
    expect(s.calls.map((c) => c.offset)).toEqual([400]);
    await s.release();
  });

  it("reports a failed page and can fetch it again", async () => {
    const onError = vi.fn();
    let fail = true;
    const p = new IncidentPager(
      async (q) => {
        if (fail) throw { code: "db", message: "busy", fix: null };
        return { total: 1, rows: [row(q.offset + 1)] };
      },
      NO_FILTERS,
      { onError },
    );
    await p.ensure(0, 1);
    expect(onError).toHaveBeenCalledOnce();
    fail = false;
    await p.ensure(0, 1);
    expect(p.row(0)?.id).toBe(1);
  });
});
