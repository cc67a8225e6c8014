import type { HostPorts, RuntimePorts } from "@nora/backends";
import type { Queryable } from "@nora/core";
import {
  claimHostPort,
  claimSubnetIndex,
  hostPortOf,
  releaseHostPorts,
  releaseSubnet,
  subnetIndexOf,
} from "./provisioner-repo.js";

/** Every agent network is a /28: the network, its gateway, the agent, a peer (the API) and room. */
export const AGENT_SUBNET_PREFIX = 28;

function ipv4ToInt(address: string): number {
  return address.split(".").reduce((acc, part) => acc * 256 + Number(part), 0);
}

function intToIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join(".");
}

/** How many agent subnets a pool holds, and the n-th of them. */
export function subnetPool(pool: string) {
  const [address, bits] = pool.split("/") as [string, string];
  const prefix = Number(bits);
  const size = 2 ** (32 - prefix);
  const base = ipv4ToInt(address) - (ipv4ToInt(address) % size);
  const count = 2 ** (AGENT_SUBNET_PREFIX - prefix);
  return {
    count,
    subnet(index: number): string {
      if (!Number.isInteger(index) || index < 0 || index >= count) {
        throw new RangeError(`subnet index ${index} is outside the pool ${pool}`);
      }
      return `${intToIpv4(base + index * 2 ** (32 - AGENT_SUBNET_PREFIX))}/${AGENT_SUBNET_PREFIX}`;
    },
  };
}

export class AllocationExhausted extends Error {
  constructor(readonly what: "subnet" | "host_port") {
    super(
      what === "subnet"
        ? "no free agent subnet is left in DOCKER_AGENT_SUBNET_POOL; widen the pool or delete agents"
        : "no free host port is left in DOCKER_AGENT_PORT_RANGE; widen the range or delete agents",
    );
    this.name = "AllocationExhausted";
  }
}

/**
 * The agent's subnet index: the one it has, or the lowest free one at or above `from` (a caller that
 * found an index taken on the Docker host moves `from` past it).
 */
export async function agentSubnetIndex(
  db: Queryable,
  agentId: string,
  poolCount: number,
  from = 0,
): Promise<number> {
  const existing = await subnetIndexOf(db, agentId);
  if (existing !== null && existing >= from) return existing;
  if (existing !== null) await releaseSubnet(db, agentId);
  for (let attempt = 0; attempt < 20; attempt++) {
    const claimed = await claimSubnetIndex(db, agentId, from, poolCount - 1);
    if (claimed !== null) return claimed;
    // Lost a race for the lowest free index, or the pool is full: a second look tells which.
    const mine = await subnetIndexOf(db, agentId);
    if (mine !== null) return mine;
  }
  throw new AllocationExhausted("subnet");
}

/**
 * The agent's host ports for its contract, gateway and (when it has one) dashboard ports, claimed
 * from the range when it has none.
 */
export async function agentHostPorts(
  db: Queryable,
  agentId: string,
  ports: RuntimePorts,
  range: { first: number; last: number },
  from: number = range.first,
): Promise<HostPorts> {
  const claim = async (containerPort: number): Promise<number> => {
    const existing = await hostPortOf(db, agentId, containerPort);
    if (existing !== null) return existing;
    for (let attempt = 0; attempt < 20; attempt++) {
      const claimed = await claimHostPort(db, agentId, containerPort, from, range.last);
      if (claimed !== null) return claimed;
      const mine = await hostPortOf(db, agentId, containerPort);
      if (mine !== null) return mine;
    }
    throw new AllocationExhausted("host_port");
  };
  return {
    contract: await claim(ports.contract),
    gateway: await claim(ports.gateway),
    dashboard: ports.dashboard === null ? null : await claim(ports.dashboard),
  };
}

/** Gives the agent's host ports back (before claiming new ones past a port found busy on the host). */
export const releaseAgentHostPorts = (db: Queryable, agentId: string) => releaseHostPorts(db, agentId);
