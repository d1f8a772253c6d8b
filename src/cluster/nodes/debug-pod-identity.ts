/**
 * What marks a pod as netpath's debug pod (labels, annotations, container) and the default image:
 * kept apart from the reader so that flag definitions and `cleanup` load no node-reading code.
 */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'kubectl-netpath';
/** Label selector of every pod netpath creates; `cleanup` deletes what it matches. */
export const MANAGED_BY_SELECTOR = `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}`;
export const NODE_ANNOTATION = 'kubectl-netpath/node';
/** Label naming the netpath run that created the pod (one per process), so a run finds its own pods. */
export const RUN_ID_LABEL = 'kubectl-netpath/run-id';
/**
 * RFC 3339 time after which the run that created the pod no longer uses it (written with the
 * creating machine's clock); `cleanup` deletes a pod that is still running only past it.
 */
export const DEADLINE_ANNOTATION = 'kubectl-netpath/deadline';

/**
 * nicolaka/netshoot v0.13 (Alpine; iptables with xtables-nft and -legacy, nftables, ipvsadm,
 * ipset, curl), pinned by the digest that several public repositories pin for that tag. The
 * node's own binaries are preferred through `chroot /host`; the image is the fallback.
 */
export const DEFAULT_DEBUG_IMAGE =
  'docker.io/nicolaka/netshoot:v0.13@sha256:a20c2531bf35436ed3766cd6cfe89d352b050ccc4d7005ce6400adf97503da1b';

export const CONTAINER_NAME = 'netpath';
