import type { RequestHandler } from 'express';
import type { OutsidePeerOffer, OutsidePeerSeen } from '../api-schema.js';
import type { ApiError } from './api-errors.js';
import type { OutsidePeerResponder } from './outside-peer.js';

/** The responder now, or null when the report server runs without one. */
export type OutsidePeerSource = () => OutsidePeerResponder | null;

const UNAVAILABLE: ApiError = {
  error: 'outside-peer-unavailable',
  message:
    'the report server has no outside-peer responder (it listens on a wildcard address and no --public-host is an IP literal)',
};

/** `POST /api/outside-peer`: a new ICE-lite session (`outsidePeerOfferSchema`), or 503 without a responder. */
export function issueOutsidePeer(source: OutsidePeerSource): RequestHandler {
  return (_req, res) => {
    const responder = source();
    if (!responder) {
      res.status(503).json(UNAVAILABLE);
      return;
    }
    const body: OutsidePeerOffer = responder.issue();
    res.json(body);
  };
}

/** `GET /api/outside-peer/:ufrag`: the addresses valid checks came from (`outsidePeerSeenSchema`), or 404. */
export function outsidePeerSeen(source: OutsidePeerSource): RequestHandler {
  return (req, res) => {
    const ufrag = req.params.ufrag;
    const seen = typeof ufrag === 'string' ? (source()?.seen(ufrag) ?? null) : null;
    if (seen === null) {
      const body: ApiError = {
        error: 'not-found',
        message: 'no such outside-peer session (expired, or never issued)',
      };
      res.status(404).json(body);
      return;
    }
    const body: OutsidePeerSeen = { seen };
    res.json(body);
  };
}
