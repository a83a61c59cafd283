/**
 * The parts of UPnP IGD a port-mapping test needs: the WAN connection service in a device description
 * (UDA 1.1 §2.3) and SOAP actions on it (WANIPConnection:1/2, WANPPPConnection:1 — GetExternalIPAddress,
 * AddPortMapping, DeletePortMapping). The XML is read by a linear indexOf scan for the few elements used,
 * which is what IGD descriptions and SOAP responses are (flat leaf values); bodies are read up to 64 KiB.
 */
import { limitedText } from './limited-body.js';

/** Service types that offer the port-mapping actions, most preferred first. */
const WAN_SERVICES = [
  'urn:schemas-upnp-org:service:WANIPConnection:2',
  'urn:schemas-upnp-org:service:WANIPConnection:1',
  'urn:schemas-upnp-org:service:WANPPPConnection:1',
] as const;

/** A WAN connection service found in a description: its type and absolute control URL. */
export interface WanService {
  readonly serviceType: string;
  readonly controlUrl: string;
}

const unescapeXml = (s: string): string =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');

/** The local name of the tag whose text (between `<` and `>`) is `tag`: `u:Foo attr="x"` → `Foo`. */
function localName(tag: string): string {
  let end = 0;
  while (end < tag.length && !' \t\r\n/'.includes(tag[end]!)) end++;
  const name = tag.slice(0, end);
  return name.slice(name.indexOf(':') + 1);
}

/**
 * The raw contents of every `<name>…</name>` element (any namespace prefix) in `xml`, in order, not nested:
 * each opening tag is paired with the next closing tag of that name. One left-to-right pass (linear time,
 * whatever the input).
 */
export function elementContents(xml: string, name: string): string[] {
  const found: string[] = [];
  let open: number | null = null;
  let at = 0;
  for (;;) {
    const lt = xml.indexOf('<', at);
    if (lt < 0) return found;
    const gt = xml.indexOf('>', lt);
    if (gt < 0) return found;
    const tag = xml.slice(lt + 1, gt);
    if (open === null) {
      if (!tag.startsWith('/') && !tag.endsWith('/') && localName(tag) === name) open = gt + 1;
    } else if (tag.startsWith('/') && localName(tag.slice(1)) === name) {
      found.push(xml.slice(open, lt));
      open = null;
    }
    at = gt + 1;
  }
}

/** The text of the first `<name>…</name>` element (any namespace prefix) in `xml`, unescaped; null if absent. */
export function elementText(xml: string, name: string): string | null {
  const [first] = elementContents(xml, name);
  return first === undefined ? null : unescapeXml(first.trim());
}

/** At most this many characters of a router-supplied URL go into an error text. */
const shown = (s: string): string => JSON.stringify(s.length > 120 ? `${s.slice(0, 120)}…` : s);

/**
 * `url` resolved against `base`, as text, when it names the gateway itself: scheme `http:` and a literal
 * host equal to `gateway` (dotted IPv4). A router-supplied URL (SSDP LOCATION, `<URLBase>`, `<controlURL>`)
 * naming any other host would make the probe a request forwarder to that host (SSRF).
 * Never throws: an unparsable URL or base, another scheme or another host is an Error saying which.
 */
export function urlOnGateway(url: string, base: string | undefined, gateway: string): string | Error {
  let parsed: URL;
  try {
    parsed = new URL(url, base);
  } catch {
    return new Error(`invalid URL ${shown(url)}${base === undefined ? '' : ` against base ${shown(base)}`}`);
  }
  if (parsed.protocol !== 'http:') return new Error(`URL ${shown(parsed.href)} is not plain http:`);
  if (parsed.hostname !== gateway)
    return new Error(`URL ${shown(parsed.href)} names another host than the gateway ${gateway}`);
  return parsed.href;
}

/**
 * The preferred WAN connection service of a device description, with its controlURL resolved against
 * `<URLBase>` or else the description's own URL; null when it offers none; an Error when that URL is
 * invalid or not on `gateway` (see {@link urlOnGateway}). Never throws.
 */
export function findWanService(
  descriptionXml: string,
  descriptionUrl: string,
  gateway: string,
): WanService | Error | null {
  const services = elementContents(descriptionXml, 'service');
  const base = elementText(descriptionXml, 'URLBase') || descriptionUrl;
  for (const wanted of WAN_SERVICES) {
    for (const service of services) {
      if (elementText(service, 'serviceType') !== wanted) continue;
      const control = elementText(service, 'controlURL');
      if (!control) continue;
      const controlUrl = urlOnGateway(control, base, gateway);
      return controlUrl instanceof Error
        ? new Error(`controlURL: ${controlUrl.message}`)
        : { serviceType: wanted, controlUrl };
    }
  }
  return null;
}

const escapeXml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A SOAP 1.1 envelope calling `action` of `serviceType` with the arguments in order. */
export function soapEnvelope(
  serviceType: string,
  action: string,
  args: readonly [string, string | number][],
): string {
  const body = args.map(([k, v]) => `<${k}>${escapeXml(String(v))}</${k}>`).join('');
  return (
    '<?xml version="1.0"?>\r\n<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" ' +
    's:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body>' +
    `<u:${action} xmlns:u="${serviceType}">${body}</u:${action}></s:Body></s:Envelope>\r\n`
  );
}

/**
 * What a SOAP action returned: the response XML, or the failure — `upnpCode` the `<errorCode>` of a UPnP
 * error (HTTP 500 + `<UPnPError>`), `transport` true when no HTTP answer was read (timeout, reset, too long:
 * the router may have acted on the request).
 */
export type SoapResult =
  | { ok: true; xml: string }
  | { ok: false; error: string; upnpCode: string | null; transport: boolean };

/**
 * POSTs one SOAP action to `service` within `timeoutMs`.
 * Never rejects: transport errors and timeouts are `{ ok: false }` with the reason.
 */
export async function soapCall(
  service: WanService,
  action: string,
  args: readonly [string, string | number][],
  timeoutMs: number,
): Promise<SoapResult> {
  try {
    const response = await fetch(service.controlUrl, {
      method: 'POST',
      headers: {
        'content-type': 'text/xml; charset="utf-8"',
        soapaction: `"${service.serviceType}#${action}"`,
      },
      body: soapEnvelope(service.serviceType, action, args),
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'error',
    });
    const xml = await limitedText(response);
    if (response.ok) return { ok: true, xml };
    const code = elementText(xml, 'errorCode');
    const description = elementText(xml, 'errorDescription');
    return {
      ok: false,
      error: code ? `UPnP error ${code}${description ? ` (${description})` : ''}` : `HTTP ${response.status}`,
      upnpCode: code,
      transport: false,
    };
  } catch (err) {
    return {
      ok: false,
      error: err instanceof Error ? err.message : String(err),
      upnpCode: null,
      transport: true,
    };
  }
}
