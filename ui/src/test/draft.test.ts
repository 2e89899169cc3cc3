import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { DraftSaver } from "../lib/draft";

describe("DraftSaver", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("saves once, 300 ms after the last keystroke", async () => {
    const save = vi.fn(async () => null);
    const d = new DraftSaver(save, 300);
    d.input(1, "h");
    await vi.advanceTimersByTimeAsync(200);
    d.input(1, "he");
    await vi.advanceTimersByTimeAsync(200);
    d.input(1, "hel");
    expect(save).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(300);
    expect(save).toHaveBeenCalledExactlyOnceWith(1, "hel");
  });

  it("saves at once on blur, and not again when the timer would have fired", async () => {
    const save = vi.fn(async () => null);
    const d = new DraftSaver(save, 300);
    d.input(1, "typed");
    await d.flush();
    expect(save).toHaveBeenCalledExactlyOnceWith(1, "typed");
    await vi.advanceTimersByTimeAsync(1000);
    expect(save).toHaveBeenCalledOnce();
  });

  it("does not write back the draft the incident opened with", async () => {
    const save = vi.fn(async () => null);
    const d = new DraftSaver(save, 300);
    d.seed(7, "from the database");
    d.input(7, "from the database");
    await d.flush();
    expect(save).not.toHaveBeenCalled();
  });

  it("saves the old incident's draft when the technician switches to another", async () => {
    const save = vi.fn(async () => null);
    const d = new DraftSaver(save, 300);
    d.input(1, "first");
    d.input(2, "second");
    await vi.advanceTimersByTimeAsync(0);
    expect(save).toHaveBeenCalledWith(1, "first");
    await vi.advanceTimersByTimeAsync(300);
    expect(save.mock.calls).toEqual([
      [1, "first"],
      [2, "second"],
    ]);
  });

  it("drops a pending draft once the note is posted", async () => {
    const save = vi.fn(async () => null);
    const d = new DraftSaver(save, 300);
    d.input(1, "posting this");
    d.cancel(1);
    await vi.advanceTimersByTimeAsync(1000);
    await d.flush();
    expect(save).not.toHaveBeenCalled();
  });

  it("keeps saves in order even when an earlier one is slow", async () => {
    const order: string[] = [];
    const save = vi.fn(async (_id: number, body: string) => {
      await new Promise((r) => setTimeout(r, body === "a" ? 500 : 10));
      order.push(body);
    });
    const d = new DraftSaver(save, 300);
    d.input(1, "a");
    void d.flush();
    d.input(1, "ab");
    void d.flush();
    await vi.advanceTimersByTimeAsync(1000);
    expect(order).toEqual(["a", "ab"]);
  });

  it("reports a failed save and keeps going", async () => {
    const onError = vi.fn();
    const save = vi.fn().mockRejectedValueOnce({ code: "disk_full", message: "Disk full", fix: null }).mockResolvedValue(null);
    const d = new DraftSaver(save, 300, onError);
    d.input(1, "x");
    await d.flush();
    d.input(1, "xy");
    await d.flush();
    expect(onError).toHaveBeenCalledOnce();
    expect(save).toHaveBeenCalledTimes(2);
  });
});
