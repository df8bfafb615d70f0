// Where the page finds the Linux boot's inputs: the URL paths `ftrace-lab serve` maps to the kernel cache and OpenSBI.

/** URL paths (relative to the page) of the three files the page's "Boot Linux" panel fetches. */
export const LINUX_ASSET_PATHS = {
  image: 'linux/Image',
  firmware: 'linux/fw_jump.bin',
  systemMap: 'linux/System.map',
} as const;

export type LinuxAsset = keyof typeof LINUX_ASSET_PATHS;

/** What to do when one is missing (the page and the server's 404 body say the same). */
export const LINUX_ASSET_HELP: Readonly<Record<LinuxAsset, string>> = {
  image: "the lab's kernel is not built: run 'npm run kernel' (about 4 minutes on 2 cores; it caches the Image in ~/.cache/ftrace-lab/kernel), then reload",
  firmware: "OpenSBI's fw_jump.bin is missing: run 'npm run kernel' (it installs Debian's opensbi package), then reload",
  systemMap: "the kernel's System.map is missing (no patch report): run 'npm run kernel', then reload",
};
