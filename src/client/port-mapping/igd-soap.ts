/**
 * The parts of UPnP IGD a port-mapping test needs: the WAN connection service in a device description
 * (UDA 1.1 §2.3) and SOAP actions on it (WANIPConnection:1/2, WANPPPConnection:1 — GetExternalIPAddress,
 * AddPortMapping, DeletePortMapping). The XML is read with narrow regular expressions over the few
 * elements used, which is what IGD descriptions and SOAP responses are (flat, unnamespaced leaf values).
 */

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

/** The text of the first `<name>…</name>` element (any namespace prefix) in `xml`, unescaped; null if absent. */
export function elementText(xml: string, name: string): string | null {
  const match = new RegExp(`<(?:[\\w.-]+:)?${name}(?:\\s[^>]*)?>([\\s\\S]*?)</(?:[\\w.-]+:)?${name}>`).exec(
    xml,
  );
  return match?.[1] === undefined ? null : unescapeXml(match[1].trim());
}

/**
 * The preferred WAN connection service of a device description, with its controlURL resolved against
 * `<URLBase>` or else the description's own URL; null when it offers none.
 */
export function findWanService(descriptionXml: string, descriptionUrl: string): WanService | null {
  const services = [...descriptionXml.matchAll(/<service>([\s\S]*?)<\/service>/g)].map((m) => m[1] ?? '');
  const base = elementText(descriptionXml, 'URLBase') || descriptionUrl;
  for (const wanted of WAN_SERVICES) {
    for (const service of services) {
      if (elementText(service, 'serviceType') !== wanted) continue;
      const control = elementText(service, 'controlURL');
      if (control) return { serviceType: wanted, controlUrl: new URL(control, base).toString() };
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

/** What a SOAP action returned: the response XML, or the UPnP error (HTTP 500 + `<UPnPError>`). */
export type SoapResult = { ok: true; xml: string } | { ok: false; error: string };

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
    });
    const xml = await response.text();
    if (response.ok) return { ok: true, xml };
    const code = elementText(xml, 'errorCode');
    const description = elementText(xml, 'errorDescription');
    return {
      ok: false,
      error: code ? `UPnP error ${code}${description ? ` (${description})` : ''}` : `HTTP ${response.status}`,
    };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}
