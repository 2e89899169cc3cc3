import { describe, expect, it } from "vitest";
import { countFormat, formatAge, formatCount, formatElapsed, formatMinutes, psaLabel, syncLabel, timerSeconds } from "../lib/format";

const NOW = Date.parse("2026-11-25T12:00:00Z");
const ago = (s: number) => new Date(NOW - s * 1000).toISOString();

describe("formatAge", () => {
  it("reads like a mail client's age column", () => {
    expect(formatAge(ago(5), NOW)).toBe("now");
    expect(formatAge(ago(59), NOW)).toBe("now");
    expect(formatAge(ago(60), NOW)).toBe("1m");
    expect(formatAge(ago(5 * 60 + 30), NOW)).toBe("5m");
    expect(formatAge(ago(59 * 60 + 59), NOW)).toBe("59m");
    expect(formatAge(ago(2 * 3600), NOW)).toBe("2h");
    expect(formatAge(ago(23 * 3600 + 3599), NOW)).toBe("23h");
    expect(formatAge(ago(3 * 86400), NOW)).toBe("3d");
    expect(formatAge(ago(13 * 86400), NOW)).toBe("13d");
    expect(formatAge(ago(21 * 86400), NOW)).toBe("3w");
    expect(formatAge(ago(800 * 86400), NOW)).toBe("2y");
  });
  it("never shows a negative age for a clock slightly ahead, nor garbage for a bad date", () => {
    expect(formatAge(new Date(NOW + 30_000).toISOString(), NOW)).toBe("now");
    expect(formatAge("not a date", NOW)).toBe("");
  });
  it("takes the offset of the timestamp into account", () => {
    expect(formatAge("2026-11-25T13:00:00+02:00", NOW)).toBe("1h");
  });
});

describe("wording", () => {
  it("names each sync state the way the e2e tests and the technician read it", () => {
    expect(syncLabel("local")).toBe("local only");
    expect(syncLabel("waiting")).toBe("waiting");
    expect(syncLabel("synced")).toBe("in PSA");
    expect(syncLabel("refused")).toBe("refused");
  });
  it("names the PSA states", () => {
    expect(psaLabel("online")).toBe("online");
    expect(psaLabel("offline")).toBe("offline");
    expect(psaLabel("not_configured")).toBe("not configured");
    expect(psaLabel("key_refused")).toBe("key refused");
  });
});

describe("timer", () => {
  it("formats elapsed time", () => {
    expect(formatElapsed(0)).toBe("0:00");
    expect(formatElapsed(7)).toBe("0:07");
    expect(formatElapsed(12 * 60 + 3)).toBe("12:03");
    expect(formatElapsed(3723)).toBe("1:02:03");
    expect(formatMinutes(25)).toBe("25 min");
    expect(formatMinutes(65)).toBe("1 h 05 min");
  });
  it("adds the time since the view was read to a running timer's worked seconds", () => {
    // worked_seconds already counts the running stretch up to the read: running_since is not added again.
    const t = { running: true, running_since: ago(3600), worked_seconds: 600, technician: "x" };
    expect(timerSeconds(t, NOW, NOW - 90_000)).toBe(690);
    expect(timerSeconds({ ...t, running: false, running_since: null }, NOW, NOW - 90_000)).toBe(600);
    expect(timerSeconds(null, NOW, NOW)).toBe(0);
  });
});

describe("formatCount", () => {
  it("groups the digits of a large count", () => {
    expect(formatCount(100_006)).toMatch(/^100\D006$/);
  });

  it("keeps a locale that groups, and groups where the locale does not (the C locale)", () => {
    const german = new Intl.NumberFormat("de-DE");
    expect(countFormat(german)).toBe(german);
    const ungrouped = { format: (n: number) => String(n) };
    expect(countFormat(ungrouped).format(100_006)).toBe("100,006");
  });
});
