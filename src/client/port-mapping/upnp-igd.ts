import { randomInt } from 'node:crypto';
import type { PortMappingProtocol } from '../../report/port-mapping-schema.js';
import type { MappingBudget } from './budget.js';
import { firstAnswer, type RouterLiveness } from './first-answer.js';
import { elementText, findWanService, soapCall, urlOnGateway } from './igd-soap.js';
import { limitedText } from './limited-body.js';
import { unanswered } from './protocol-result.js';
import { discoverIgd, SSDP_GROUP } from './ssdp.js';

/** UPnP error 725 OnlyPermanentLeasesSupported (WANIPConnection:1 §2.4.16): says nothing of mapping. */
const ONLY_PERMANENT_LEASES = '725';

/** Description text of the test mapping, so a router's admin page shows what made it. */
const DESCRIPTION = 'ice-doctor probe test (removed at once)';

async function fetchText(url: string, timeoutMs: number): Promise<string | Error> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
    if (!response.ok) return new Error(`description: HTTP ${response.status}`);
    return await limitedText(response);
  } catch (err) {
    return new Error(`description: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * UPnP IGD on `gateway` from `localAddress` (this host's address on the gateway's LAN): SSDP M-SEARCH (first
 * answer within `budget.firstMs`, see `discoverIgd`), the device description, then SOAP GetExternalIPAddress, AddPortMapping of a
 * random high UDP port to this host with `budget.lifetimeS`, and DeletePortMapping at once (also sent,
 * unawaited, when AddPortMapping got no HTTP answer; error 725 leaves `mappingCreated` null); each HTTP
 * request is bounded by `budget.httpMs`, follows no redirect and reads at most 64 KiB. LOCATION and the
 * control URL must be `http:` on `gateway` itself (no other host is contacted). `gateway` in the result is
 * the control URL. Never throws: failures (an invalid URL included) are in the result's `error`.
 */
export async function tryUpnpIgd(
  localAddress: string,
  gateway: string,
  budget: MappingBudget,
  live: RouterLiveness = { answered: false },
): Promise<PortMappingProtocol> {
  const result = unanswered('upnp-igd', null);
  try {
    return await igdSteps(result, localAddress, gateway, budget, live);
  } catch (err) {
    return { ...result, error: err instanceof Error ? err.message : String(err) };
  }
}

async function igdSteps(
  result: PortMappingProtocol,
  localAddress: string,
  gateway: string,
  budget: MappingBudget,
  live: RouterLiveness,
): Promise<PortMappingProtocol> {
  let refused = false;
  const first = await firstAnswer(
    async (ms) => {
      const found = await discoverIgd(localAddress, gateway, ms);
      if (found.location !== null) return found;
      refused ||= found.refused;
      return null;
    },
    budget,
    live,
    () => refused,
  );
  const found = first.value;
  if (!found)
    return {
      ...result,
      error: refused
        ? `the gateway refused SSDP on port ${SSDP_GROUP.port} (ICMP port unreachable): nothing takes unicast searches there`
        : `no SSDP answer within ${first.waitedMs} ms`,
    };
  result.answered = true;
  result.rttMs = Math.round(found.rttMs);
  result.gateway = found.location;
  const location = urlOnGateway(found.location, undefined, gateway);
  if (location instanceof Error) return { ...result, error: `LOCATION: ${location.message}` };
  const description = await fetchText(location, budget.httpMs);
  if (description instanceof Error) return { ...result, error: description.message };
  const service = findWanService(description, location, gateway);
  if (service instanceof Error) return { ...result, error: service.message };
  if (!service)
    return { ...result, error: 'the description offers no WANIPConnection/WANPPPConnection service' };
  result.gateway = service.controlUrl;
  const errors: string[] = [];
  const ext = await soapCall(service, 'GetExternalIPAddress', [], budget.httpMs);
  if (ext.ok) result.externalAddress = elementText(ext.xml, 'NewExternalIPAddress') || null;
  else errors.push(`GetExternalIPAddress: ${ext.error}`);
  const port = randomInt(49152, 65536);
  const mapping: [string, string | number][] = [
    ['NewRemoteHost', ''],
    ['NewExternalPort', port],
    ['NewProtocol', 'UDP'],
  ];
  const add = await soapCall(
    service,
    'AddPortMapping',
    [
      ...mapping,
      ['NewInternalPort', port],
      ['NewInternalClient', localAddress],
      ['NewEnabled', 1],
      ['NewPortMappingDescription', DESCRIPTION],
      ['NewLeaseDuration', budget.lifetimeS],
    ],
    budget.httpMs,
  );
  result.mappingCreated = add.ok;
  if (!add.ok) {
    errors.push(`AddPortMapping: ${add.error}`);
    if (add.upnpCode === ONLY_PERMANENT_LEASES) {
      result.mappingCreated = null;
      errors.push('the gateway grants only permanent leases; no permanent test mapping is made');
    }
    if (add.transport) void soapCall(service, 'DeletePortMapping', mapping, budget.httpMs);
  } else {
    const del = await soapCall(service, 'DeletePortMapping', mapping, budget.httpMs);
    result.mappingRemoved = del.ok;
    if (!del.ok) errors.push(`DeletePortMapping: ${del.error}`);
  }
  return errors.length > 0 ? { ...result, error: errors.join('; ') } : result;
}
