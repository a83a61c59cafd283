/**
 * Test entry bundled by `bundlePageModules()` (page-modules.ts) and evaluated in the report page: it puts
 * the page modules' functions, driven the way the page drives them, on `globalThis.iceDoctorModules`.
 * Runs in the browser only.
 */
import type { SignalingCheck } from '../../src/report/browser-schema.js';
import { pageConfigSchema } from '../../src/web/api-schema.js';
import type { ThroughputResult } from '../../src/web/page/throughput-meter.js';
import { createCharts, type ReportCharts } from '../../src/web/page/ui/charts.js';
import { checkSignaling } from '../../src/web/page/ui/signaling-check.js';
import { measureThroughput, serveThroughputPeer } from '../../src/web/page/ui/throughput.js';

async function getJson(path: string): Promise<unknown> {
  const res = await fetch(path);
  if (!res.ok) throw new Error(`GET ${path}: ${res.status}`);
  return res.json();
}

/** A data channel between two peer connections of this page (host candidates, no ICE server). */
async function loopbackChannel(): Promise<RTCDataChannel> {
  const a = new RTCPeerConnection();
  const b = new RTCPeerConnection();
  a.onicecandidate = (e) => void (e.candidate && b.addIceCandidate(e.candidate));
  b.onicecandidate = (e) => void (e.candidate && a.addIceCandidate(e.candidate));
  b.ondatachannel = (e) => serveThroughputPeer(e.channel);
  const channel = a.createDataChannel('throughput');
  const opened = new Promise((resolve) => channel.addEventListener('open', resolve, { once: true }));
  await a.setLocalDescription();
  await b.setRemoteDescription(a.localDescription!);
  await b.setLocalDescription();
  await a.setRemoteDescription(b.localDescription!);
  await opened;
  return channel;
}

/** What the tests call in the page. */
export interface PageModules {
  /** `checkSignaling` with the server's `/api/config` and this page's location. */
  checkSignaling(): Promise<SignalingCheck[]>;
  /** `measureThroughput` over a fresh loopback data channel. */
  throughput(durationMs: number, maxBytes?: number): Promise<ThroughputResult>;
  /** Charts mounted in a new `<section class="test-charts">` at the end of the body. */
  charts(): ReportCharts;
}

const modules: PageModules = {
  async checkSignaling() {
    return checkSignaling(pageConfigSchema.parse(await getJson('/api/config')), location);
  },
  async throughput(durationMs, maxBytes) {
    return measureThroughput(await loopbackChannel(), durationMs, maxBytes === undefined ? {} : { maxBytes });
  },
  charts() {
    const section = document.createElement('section');
    section.className = 'test-charts';
    document.body.append(section);
    return createCharts(section);
  },
};

Object.assign(globalThis, { iceDoctorModules: modules });
