// Pages of the incident list, fetched as the list scrolls, with a small cache.
import type { IncidentPage } from "../bindings/IncidentPage";
import type { IncidentQuery } from "../bindings/IncidentQuery";
import type { IncidentRow } from "../bindings/IncidentRow";

export type Filters = Omit<IncidentQuery, "offset" | "limit">;
export type PageFetcher = (query: IncidentQuery) => Promise<IncidentPage>;

export interface PagerOptions {
  pageSize?: number;
  /** Pages kept in memory; the ones the list shows are never dropped. */
  maxPages?: number;
  onChange?: () => void;
  onError?: (e: unknown) => void;
}

export const NO_FILTERS: Filters = { status: null, severity: null, tenant_id: null, search: null };
/** Rows per page, unless a pager is given another size (`warm_reader` in src-tauri/src/state.rs reads as many). */
export const PAGE_SIZE = 200;
/** The query of the unfiltered list's first page. */
export const FIRST_PAGE: IncidentQuery = { ...NO_FILTERS, offset: 0, limit: PAGE_SIZE };

export class IncidentPager {
  readonly pageSize: number;
  readonly maxPages: number;
  /** Rows matching the filters; null until the first page of these filters arrives. */
  total: number | null = null;
  private filters: Filters;
  private pages = new Map<number, IncidentRow[]>(); // insertion order is recency
  private inflight = new Map<number, Promise<void>>();
  private pinned = new Set<number>();
  private generation = 0;
  private readonly fetcher: PageFetcher;
  private readonly onChange: () => void;
  private readonly onError: (e: unknown) => void;

  constructor(fetcher: PageFetcher, filters: Filters = NO_FILTERS, opts: PagerOptions = {}) {
    this.fetcher = fetcher;
    this.filters = { ...filters };
    this.pageSize = opts.pageSize ?? PAGE_SIZE;
    this.maxPages = Math.max(2, opts.maxPages ?? 8);
    this.onChange = opts.onChange ?? (() => {});
    this.onError = opts.onError ?? (() => {});
  }

  getFilters(): Filters {
    return { ...this.filters };
  }

  /** New filters: everything cached is for the old ones. */
  setFilters(filters: Filters): void {
    this.filters = { ...filters };
    this.generation++;
    this.pages.clear();
    this.inflight.clear();
    this.total = null;
    this.onChange();
  }

  /** The row at `index`, if its page is here. */
  row(index: number): IncidentRow | undefined {
    const p = Math.floor(index / this.pageSize);
    const rows = this.pages.get(p);
    return rows?.[index - p * this.pageSize];
  }

  /** Index of an incident among the cached rows, or -1. */
  indexOf(id: number): number {
    for (const [p, rows] of this.pages) {
      const i = rows.findIndex((r) => r.id === id);
      if (i >= 0) return p * this.pageSize + i;
    }
    return -1;
  }

  cachedPages(): number[] {
    return [...this.pages.keys()].sort((a, b) => a - b);
  }

  /**
   * Takes the first page of the current filters, asked for before the pager existed: here
   * already, or on its way (then it is page 0's request, not asked for again).
   */
  seed(first: IncidentPage | Promise<IncidentPage>): void {
    if (first instanceof Promise) {
      void this.load(0, false, first);
      return;
    }
    this.total = first.total;
    this.pages.set(0, first.rows);
  }

  /** Make sure rows [from, to) are loaded or loading; resolves when they are here. */
  ensure(from: number, to: number): Promise<void> {
    const first = Math.max(0, Math.floor(from / this.pageSize));
    let last = Math.floor(Math.max(from, to - 1) / this.pageSize);
    if (this.total !== null) last = Math.min(last, Math.max(0, Math.ceil(this.total / this.pageSize) - 1));
    this.pinned = new Set();
    const waits: Promise<void>[] = [];
    for (let p = first; p <= last; p++) {
      this.pinned.add(p);
      const rows = this.pages.get(p);
      if (rows) {
        // Touch: most recently used last.
        this.pages.delete(p);
        this.pages.set(p, rows);
      } else {
        waits.push(this.load(p));
      }
    }
    return Promise.all(waits).then(() => undefined);
  }

  /**
   * Something changed in the database. The pages on screen and the pages holding the named
   * incidents are fetched again; other cached pages are dropped, since a change can move rows
   * across pages (a resolved incident leaves a "new" filter). Old rows stay on screen until the
   * new ones arrive, so nothing flickers.
   */
  refresh(ids?: readonly number[]): Promise<void> {
    const targets = new Set<number>([...this.pinned].filter((p) => this.pages.has(p) || this.inflight.has(p)));
    for (const id of ids ?? []) {
      const i = this.indexOf(id);
      if (i >= 0) targets.add(Math.floor(i / this.pageSize));
    }
    if (targets.size === 0) targets.add(0);
    for (const p of [...this.pages.keys()]) if (!targets.has(p)) this.pages.delete(p);
    return Promise.all([...targets].map((p) => this.load(p, true))).then(() => undefined);
  }

  private load(page: number, force = false, asked?: Promise<IncidentPage>): Promise<void> {
    const existing = this.inflight.get(page);
    if (existing && !force) return existing;
    const gen = this.generation;
    const query: IncidentQuery = { ...this.filters, offset: page * this.pageSize, limit: this.pageSize };
    const done = (asked ?? this.fetcher(query)).then(
      (res) => {
        if (gen !== this.generation) return;
        if (this.inflight.get(page) === done) this.inflight.delete(page);
        this.total = res.total;
        this.pages.delete(page);
        this.pages.set(page, res.rows);
        this.evict();
        this.onChange();
      },
      (e: unknown) => {
        if (gen !== this.generation) return;
        if (this.inflight.get(page) === done) this.inflight.delete(page);
        this.onError(e);
      },
    );
    this.inflight.set(page, done);
    return done;
  }

  private evict(): void {
    for (const p of this.pages.keys()) {
      if (this.pages.size <= this.maxPages) break;
      if (!this.pinned.has(p)) this.pages.delete(p);
    }
  }
}
