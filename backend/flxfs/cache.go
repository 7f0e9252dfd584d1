package flxfs

import (
	"io"
	"os"
	"sync"

	"borgdesk/backend/shared/flx"
)

// loading is an open in progress, which others opening the same entry wait for.
type loading struct {
	done chan struct{}
	err  error
}

// cache hands out entries' contents: from the cache, or by walking the
// snapshot to the entry. A walk reads small entries after the one asked
// for into the cache too (a directory copy reads them next), up to
// readAhead bytes and no more than the cache keeps.
type cache struct {
	src     string   // where to read the snapshot (its descriptor's /proc path)
	name    string   // the snapshot's path, for messages
	snap    *os.File // held open so that src stays valid
	ix      *index
	opts    Options
	mu      sync.Mutex
	items   []*content // least recently used first
	mem     int64
	loading map[int]*loading
	closed  bool
}

const readAhead = 4 << 20

func newCache(src, name string, snap *os.File, ix *index, opts Options) *cache {
	return &cache{src: src, name: name, snap: snap, ix: ix, opts: opts, loading: map[int]*loading{}}
}

// acquire returns the entry's content with a reference the caller gives
// back with release.
func (c *cache) acquire(e *entry) (*content, error) {
	if e.damage != nil {
		return nil, e.damage
	}
	for {
		c.mu.Lock()
		if ct := c.lookup(e.Index); ct != nil {
			ct.refs++
			c.mu.Unlock()
			return ct, nil
		}
		if l, ok := c.loading[e.Index]; ok {
			c.mu.Unlock()
			<-l.done
			if l.err != nil {
				return nil, l.err
			}
			continue
		}
		l := &loading{done: make(chan struct{})}
		c.loading[e.Index] = l
		c.mu.Unlock()

		ct, err := c.load(e)
		c.mu.Lock()
		delete(c.loading, e.Index)
		l.err = err
		close(l.done)
		if err == nil {
			ct.refs++ // the caller's
			c.insert(ct)
		}
		c.mu.Unlock()
		return ct, err
	}
}

// release gives back a reference from acquire.
func (c *cache) release(ct *content) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.unref(ct)
}

func (c *cache) unref(ct *content) {
	ct.refs--
	if ct.refs == 0 {
		ct.free()
	}
}

// lookup finds a cached entry and marks it most recently used (c.mu held).
func (c *cache) lookup(index int) *content {
	for i, ct := range c.items {
		if ct.index == index {
			c.items = append(append(c.items[:i:i], c.items[i+1:]...), ct)
			return ct
		}
	}
	return nil
}

// insert caches ct, evicting the least recently used beyond the limits
// (c.mu held). An evicted entry that is still open stays usable.
func (c *cache) insert(ct *content) {
	if c.closed || c.lookup(ct.index) != nil {
		if ct.refs == 0 {
			ct.free()
		}
		return
	}
	ct.refs++
	c.items = append(c.items, ct)
	c.mem += ct.memBytes()
	for len(c.items) > 1 && (len(c.items) > c.opts.CacheFiles || c.mem > c.opts.CacheBytes) {
		old := c.items[0]
		c.items = c.items[1:]
		c.mem -= old.memBytes()
		c.unref(old)
	}
}

func (c *cache) has(index int) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, ct := range c.items {
		if ct.index == index {
			return true
		}
	}
	return false
}

// close drops the cache (at unmount); open handles keep their content.
func (c *cache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	c.snap.Close()
	for _, ct := range c.items {
		c.unref(ct)
	}
	c.items, c.mem = nil, 0
}

// load walks the snapshot to the entry and decodes its content, checked by
// flx before it is used; small entries after it go into the cache on the way.
func (c *cache) load(want *entry) (*content, error) {
	var got, pending *content
	// Read ahead no more than the cache can keep beside the entry.
	var ahead int64
	aheadBytes, aheadFiles := min(readAhead, c.opts.CacheBytes/2), c.opts.CacheFiles-1
	_, err := flx.WalkFile(c.src, func(_ *flx.Meta, e *flx.Entry, r io.Reader) (func() error, error) {
		if e.Index < want.Index {
			return nil, nil // Walk reads past it
		}
		if e.Index > want.Index {
			next := c.ix.byIndex(e.Index)
			if next == nil || next.damage != nil || next.Size > memMax || ahead+next.Size > aheadBytes || aheadFiles == 0 {
				return nil, errStop
			}
			ahead += next.Size
			aheadFiles--
			if c.has(e.Index) {
				return nil, nil
			}
		}
		ct, err := decode(r, e.Index, c.opts.TempDir)
		if err != nil {
			return nil, err
		}
		pending = ct
		return func() error {
			pending = nil
			if ie := c.ix.byIndex(e.Index); ie == nil || ie.Path != e.Path || ie.Hash != e.Hash {
				ct.free()
				return ErrChanged
			}
			if e.Index == want.Index {
				got = ct
				return nil
			}
			c.mu.Lock()
			c.insert(ct)
			c.mu.Unlock()
			return nil
		}, nil
	}, flx.Limits{})
	if pending != nil {
		pending.free() // read, but failed its checks
	}
	if got != nil {
		return got, nil // whatever ended the walk came after the entry
	}
	if err == nil {
		err = ErrChanged // the walk never reached it
	}
	return nil, err
}
