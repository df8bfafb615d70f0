// Entry of one hart's Web Worker: the library's browser adapter runs the hart it is sent.
import '../../../src/machine/parallel/worker-browser.js';
