//! The system allocator, counting live bytes per thread for memory-per-item
//! figures (see `ar_benches::workloads::ledger::heap`). Cost: one thread-local
//! add per allocation and per free.

use std::alloc::{GlobalAlloc, Layout, System};

use ar_benches::workloads::ledger::heap;

/// [`System`], counting.
pub struct Counting;

// SAFETY: every call is forwarded unchanged to `System`; the counter is a
// const-initialised thread-local cell without a destructor, so updating it
// never allocates and never fails, even while a thread is being torn down.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract, which `System` shares.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            heap::note_alloc(layout.size());
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            heap::note_alloc(layout.size());
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        heap::note_free(layout.size());
        // SAFETY: `ptr` came from this allocator, that is from `System`, with `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as for `dealloc`; `System` may grow in place (mremap) where a copy would not.
        let moved = unsafe { System.realloc(ptr, layout, new_size) };
        if !moved.is_null() {
            heap::note_free(layout.size());
            heap::note_alloc(new_size);
        }
        moved
    }
}
