import { randomBytes, randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import {
  embeddedIPv4,
  forbiddenReason,
  InvalidCidrError,
  OutboundError,
  outboundFetch,
  parseAllowlist,
  parseHost,
  parseOutboundUrl,
  type Resolver,
  resolveChecked,
  resolveCheckedHost,
  staticDestinationProblem,
} from "@nora/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeUpstream, startFakeUpstream } from "./fake-upstreams.js";
import { NO_RATE_LIMITS, startTestApp, type TestApp } from "./helpers.js";
import { call, createWorkspace, userWithSession } from "./identity.js";

/**
 * The SSRF guard for operator-supplied URLs. Calls go only to a fake on 127.0.0.1, which the tests
 * that need it allowlist explicitly; names that must "resolve" use an injected resolver (or
 * `localhost`, which the system answers from its hosts file), so no real DNS or external host is used.
 */
const none = parseAllowlist([]);
const noPolicy = { policy: { allowedCidrs: [] } };
const loopbackPolicy = { policy: { allowedCidrs: ["127.0.0.1/32"] } };

async function refusal(promise: Promise<unknown>): Promise<OutboundError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(OutboundError);
    return error as OutboundError;
  }
  throw new Error("expected a refusal");
}

describe("address policy", () => {
  it.each([
    ["127.0.0.1", "loopback"],
    ["127.8.9.10", "loopback"],
    ["10.0.0.1", "private"],
    ["10.255.255.254", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.1", "private"],
    ["192.168.1.1", "private"],
    ["169.254.169.254", "link-local"],
    ["100.64.0.1", "carrier-grade NAT"],
    ["100.127.255.254", "carrier-grade NAT"],
    ["0.0.0.0", "unspecified/this-network"],
    ["224.0.0.1", "multicast"],
    ["239.255.255.250", "multicast"],
    ["255.255.255.255", "broadcast"],
    ["::1", "loopback"],
    ["::", "unspecified"],
    ["fe80::1", "link-local"],
    ["fc00::1", "unique-local"],
    ["fd12:3456::1", "unique-local"],
    ["ff02::1", "multicast"],
    ["::ffff:127.0.0.1", "loopback (embedded in an IPv6 address)"],
    ["::ffff:7f00:1", "loopback (embedded in an IPv6 address)"],
    ["::ffff:10.1.2.3", "private (embedded in an IPv6 address)"],
    ["::ffff:a9fe:a9fe", "link-local (embedded in an IPv6 address)"],
    ["64:ff9b::a9fe:a9fe", "link-local (embedded in an IPv6 address)"],
    ["2002:7f00:1::1", "loopback (embedded in an IPv6 address)"],
  ])("refuses %s (%s)", (address, why) => {
    expect(forbiddenReason(address, none)).toBe(why);
  });

  it.each(["8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"])(
    "allows the public address %s",
    (address) => {
      expect(forbiddenReason(address, none)).toBeUndefined();
    },
  );

  it("lets an operator allowlist exactly the ranges they name", () => {
    const list = parseAllowlist(["127.0.0.1/32", " 10.0.0.0/8", "fd00:1::/64", "192.168.7.7"]);
    expect(forbiddenReason("127.0.0.1", list)).toBeUndefined();
    expect(forbiddenReason("::ffff:127.0.0.1", list)).toBeUndefined();
    expect(forbiddenReason("127.0.0.2", list)).toBe("loopback");
    expect(forbiddenReason("10.9.8.7", list)).toBeUndefined();
    expect(forbiddenReason("fd00:1::5", list)).toBeUndefined();
    expect(forbiddenReason("fd00:2::5", list)).toBe("unique-local");
    expect(forbiddenReason("192.168.7.7", list)).toBeUndefined();
    expect(forbiddenReason("192.168.7.8", list)).toBe("private");
    expect(forbiddenReason("169.254.169.254", list)).toBe("link-local");
  });

  it.each(["10.0.0.0/33", "not-an-ip", "1.2.3.4/8/9", "::1/129", "10.0.0.0/-1", "10.0.0.0/a"])(
    "refuses the malformed allowlist entry %s",
    (entry) => {
      expect(() => parseAllowlist([entry])).toThrow(InvalidCidrError);
    },
  );

  it("finds IPv4 addresses embedded in IPv6 ones", () => {
    expect(embeddedIPv4("::ffff:1.2.3.4")).toBe("1.2.3.4");
    expect(embeddedIPv4("::ffff:102:304")).toBe("1.2.3.4");
    expect(embeddedIPv4("64:ff9b::102:304")).toBe("1.2.3.4");
    expect(embeddedIPv4("2002:102:304::1")).toBe("1.2.3.4");
    expect(embeddedIPv4("2606:4700::1")).toBeUndefined();
    expect(embeddedIPv4("1.2.3.4")).toBeUndefined();
  });
});

describe("URL checks without DNS", () => {
  it.each([
    "http://127.0.0.1:8080/v1",
    "http://10.0.0.5/v1",
    "http://10.200.1.1:11434",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]:11434",
    "http://[::ffff:127.0.0.1]/",
    "http://[fd00::1]/",
    "http://localhost:11434",
    "http://LOCALHOST./",
    "http://ollama.localhost/",
    "http://2130706433/",
    "http://0x7f.1/",
    "http://0/",
  ])("refuses %s", (url) => {
    expect(staticDestinationProblem(parseOutboundUrl(url), noPolicy.policy)).toBeTruthy();
  });

  it("leaves public names and addresses to the resolver", () => {
    for (const url of ["https://api.openai.com/v1", "https://1.1.1.1/", "https://[2606:4700::1111]/"]) {
      expect(staticDestinationProblem(parseOutboundUrl(url), noPolicy.policy)).toBeUndefined();
    }
  });

  it.each([
    "ftp://example.org/",
    "file:///etc/passwd",
    "gopher://example.org/",
    "http://user:pass@example.org/",
    "not a url",
  ])("refuses the URL %s", (url) => {
    expect(() => parseOutboundUrl(url)).toThrow(OutboundError);
  });
});

describe("resolution and connection", () => {
  let fake: FakeUpstream;
  let hanging: http.Server;
  let hangingPort: number;
  beforeAll(async () => {
    fake = await startFakeUpstream();
    hanging = http.createServer(() => undefined);
    await new Promise<void>((resolve) => hanging.listen(0, "127.0.0.1", resolve));
    hangingPort = (hanging.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await fake.close();
    hanging.closeAllConnections();
    await new Promise<void>((resolve) => hanging.close(() => resolve()));
  });

  const resolverFor =
    (answers: Record<string, string[]>, calls: string[] = []): Resolver =>
    async (hostname) => {
      calls.push(hostname);
      const addresses = answers[hostname];
      if (!addresses) throw new Error("ENOTFOUND");
      return addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
    };

  it("refuses a name that resolves to loopback, private or metadata addresses", async () => {
    const resolver = resolverFor({
      "loop.example.test": ["127.0.0.1"],
      "private.example.test": ["10.1.2.3"],
      "metadata.example.test": ["169.254.169.254"],
      "v6loop.example.test": ["::1"],
      "mixed.example.test": ["93.184.216.34", "192.168.0.10"],
    });
    for (const host of Object.keys({
      "loop.example.test": 1,
      "private.example.test": 1,
      "metadata.example.test": 1,
      "v6loop.example.test": 1,
      "mixed.example.test": 1,
    })) {
      const error = await refusal(resolveChecked(new URL(`http://${host}/`), { ...noPolicy, resolver }));
      expect(error.code).toBe("destination_forbidden");
      expect(error.message).toContain(host);
    }
  });

  it("refuses `localhost` as the system resolves it", async () => {
    const error = await refusal(outboundFetch(`http://localhost:${fake.port}/v1/models`, {}, noPolicy));
    expect(error.code).toBe("destination_forbidden");
    expect(fake.requests).toHaveLength(0);
  });

  it("refuses literal private destinations before connecting", async () => {
    for (const url of [`http://127.0.0.1:${fake.port}/`, `http://[::1]:${fake.port}/`, "http://10.0.0.1/"]) {
      expect((await refusal(outboundFetch(url, {}, noPolicy))).code).toBe("destination_forbidden");
    }
    expect(fake.requests).toHaveLength(0);
  });

  it("connects to the checked address only (pinned: DNS is asked once, a later answer cannot steer it)", async () => {
    const calls: string[] = [];
    let answer = "127.0.0.1";
    const resolver: Resolver = async (hostname) => {
      calls.push(hostname);
      const address = answer;
      answer = "10.0.0.1"; // a rebinding resolver: any second question gets a private address
      return [{ address, family: 4 }];
    };
    const res = await outboundFetch(
      `http://models.example.test:${fake.port}/v1/models`,
      {},
      { ...loopbackPolicy, resolver },
    );
    expect(res.status).toBe(200);
    expect(calls).toEqual(["models.example.test"]);
    expect(fake.requests.at(-1)?.headers.host).toBe(`models.example.test:${fake.port}`);
  });

  it("never follows a redirect", async () => {
    fake.override = (req, res) => {
      if (req.path !== "/redirect") return false;
      res.writeHead(302, { location: "http://169.254.169.254/latest/meta-data/" });
      res.end();
      return true;
    };
    const before = fake.requests.length;
    const error = await refusal(outboundFetch(`${fake.url}/redirect`, {}, loopbackPolicy));
    expect(error.code).toBe("redirect_refused");
    expect(error.status).toBe(302);
    expect(fake.requests.length).toBe(before + 1);
    fake.override = undefined;
  });

  it("gives up after its timeout", async () => {
    const started = Date.now();
    const error = await refusal(
      outboundFetch(`http://127.0.0.1:${hangingPort}/`, { timeoutMs: 300 }, loopbackPolicy),
    );
    expect(error.code).toBe("timeout");
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it("caps the response size", async () => {
    fake.override = (req, res) => {
      if (req.path !== "/big") return false;
      res.writeHead(200, { "content-type": "application/json" });
      res.end("x".repeat(10_000));
      return true;
    };
    const error = await refusal(outboundFetch(`${fake.url}/big`, { maxBytes: 1_000 }, loopbackPolicy));
    expect(error.code).toBe("response_too_large");
    fake.override = undefined;
  });
});

/**
 * One parser and one policy at save time and at call time (issue 8, item 8): every spelling of a
 * forbidden address is refused when it is saved (through the API, as a provider base URL, a webhook
 * URL and an SMTP host) and when it is called, before any DNS question; public spellings pass both.
 * The call-time checks stop at `resolveCheckedHost` (no connection is made); the resolver is injected.
 */
describe("every spelling of an address, at save and at call", () => {
  const FORBIDDEN = [
    "2130706433",
    "0x7f000001",
    "0177.0.0.1",
    "127.1",
    "0",
    "0x7f.1",
    "127.0.0.1.",
    "127.0.0.1%2e",
    "127。0。0。1",
    "①②⑦.0.0.1",
    "０x7f000001",
    "LOCALHOST",
    "localhost.",
    "Ollama.LocalHost",
    "ⓛⓞⓒⓐⓛⓗⓞⓢⓣ",
    "0251.0376.0251.0376",
    "0xa9fea9fe",
    "10.1",
    "::1",
    "[::1]",
    "0:0:0:0:0:0:0:1",
    "::ffff:127.0.0.1",
    "[::ffff:7f00:1]",
    "::ffff:a9fe:a9fe",
    "::127.0.0.1",
    "64:ff9b::a9fe:a9fe",
    "2002:7f00:1::1",
    "fe80::1",
    "[FD00::1]",
  ];
  const PUBLIC = [
    "smtp.example.org",
    "SMTP.Example.ORG.",
    "bücher.example",
    "8.8.8.8",
    "0x08080808",
    "2606:4700::1111",
    "[2606:4700::1111]",
  ];
  const INVALID = [
    "a b",
    "host/x",
    "user@host",
    "host:25",
    "",
    "1.2.3.4.5",
    "[fe80::1%eth0]",
    "exa\u0000mple.org",
  ];
  /** A host in URL form: IPv6 literals in brackets. */
  const urlHost = (host: string) => (host.includes(":") && !host.startsWith("[") ? `[${host}]` : host);
  const asked: string[] = [];
  const publicResolver: Resolver = async (hostname) => {
    asked.push(hostname);
    return [{ address: "8.8.8.8", family: 4 }];
  };

  it.each(FORBIDDEN)("refuses %s at call time before any DNS question", async (host) => {
    asked.length = 0;
    const bare = await refusal(resolveCheckedHost(host, { ...noPolicy, resolver: publicResolver }));
    expect(bare.code).toBe("destination_forbidden");
    const url = await refusal(
      resolveChecked(parseOutboundUrl(`http://${urlHost(host)}:8080/v1`), {
        ...noPolicy,
        resolver: publicResolver,
      }),
    );
    expect(url.code).toBe("destination_forbidden");
    expect(asked).toEqual([]);
  });

  it.each(PUBLIC)("lets the public %s through at call time", async (host) => {
    const bare = await resolveCheckedHost(host, { ...noPolicy, resolver: publicResolver });
    expect(forbiddenReason(bare.address, none)).toBeUndefined();
    await resolveChecked(parseOutboundUrl(`https://${urlHost(host)}/v1`), {
      ...noPolicy,
      resolver: publicResolver,
    });
  });

  it.each(INVALID)("refuses the malformed host %j at call time", async (host) => {
    expect((await refusal(resolveCheckedHost(host, { ...noPolicy, resolver: publicResolver }))).code).toBe(
      "invalid_url",
    );
  });

  it("normalizes before the allowlist too: an allowlisted loopback is reached in any spelling, without DNS", async () => {
    asked.length = 0;
    for (const host of ["2130706433", "0x7f000001", "127.1", "[::ffff:7f00:1]"]) {
      const checked = await resolveCheckedHost(host, { ...loopbackPolicy, resolver: publicResolver });
      expect(checked.address).toMatch(/^(127\.0\.0\.1|::ffff:7f00:1)$/);
    }
    expect(asked).toEqual([]);
    expect(parseHost("bücher.example")).toBe("xn--bcher-kva.example");
    expect(parseHost("[::FFFF:127.0.0.1]")).toBe("::ffff:7f00:1");
  });

  describe("at save time, through the API", () => {
    let app: TestApp;
    let cookie: string;
    let workspaceId: string;
    beforeAll(async () => {
      app = await startTestApp({
        env: { ...NO_RATE_LIMITS, ENCRYPTION_KEY: randomBytes(32).toString("hex") },
      });
      cookie = (await userWithSession(app)).cookie;
      workspaceId = await createWorkspace(app, cookie);
    });
    afterAll(() => app.close());

    const save = (what: "provider" | "webhook" | "smtp", host: string) => {
      const name = `${what} ${randomUUID().slice(0, 8)}`;
      if (what === "provider") {
        return call(app, { cookie }, "POST", `/api/workspaces/${workspaceId}/llm-providers`, {
          kind: "ollama",
          name,
          baseUrl: `http://${urlHost(host)}:11434`,
        });
      }
      return call(app, { cookie }, "POST", `/api/workspaces/${workspaceId}/integrations`, {
        kind: what,
        name,
        config:
          what === "webhook"
            ? { url: `https://${urlHost(host)}/hook` }
            : { host, port: 587, from: "nora@example.org" },
      });
    };

    it.each(FORBIDDEN)("refuses %s as a base URL, a webhook URL and an SMTP host", async (host) => {
      for (const what of ["provider", "webhook", "smtp"] as const) {
        const res = await save(what, host);
        expect(res.status, `${what}: ${res.text}`).toBe(400);
        expect(res.body.error, what).toBe("destination_forbidden");
      }
    });

    it.each(PUBLIC)("accepts the public %s everywhere", async (host) => {
      for (const what of ["provider", "webhook", "smtp"] as const) {
        expect((await save(what, host)).status, what).toBe(201);
      }
    });

    it.each(INVALID.filter((h) => h !== ""))("refuses the malformed SMTP host %j", async (host) => {
      const res = await save("smtp", host);
      expect(res.status).toBe(400);
      expect(res.text).not.toMatch(/stack|at .*\.ts/);
    });
  });
});
