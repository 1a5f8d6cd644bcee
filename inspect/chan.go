package inspect

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"

	"github.com/go-delve/delve/pkg/dwarf/godwarf"
	"github.com/go-delve/delve/pkg/proc"

	"github.com/memlens/memlens/arch"
	"github.com/memlens/memlens/layouts"
)

// Chan is a decoded runtime.hchan: a channel's header, its ring buffer in receive order and the
// goroutines queued on it.
type Chan struct {
	// Addr is the address of the runtime.hchan; 0 for a nil channel.
	Addr uint64
	// Nil is true for a nil channel (nothing else is set).
	Nil bool
	// ElemType names the element type through the runtime's own type data (hchan.elemtype), as
	// reflect spells it ("int64", "main.point"); empty when it could not be read (see Problems).
	ElemType string
	// ElemTypeAddr is hchan.elemtype: the address of the element's runtime type descriptor.
	ElemTypeAddr uint64
	// ElemSize is hchan.elemsize: the size of one element, in bytes (0 for chan struct{}).
	ElemSize uint64
	// QCount is hchan.qcount: the number of elements in the buffer, as stored.
	QCount uint64
	// DataQSiz is hchan.dataqsiz: the number of slots in the ring buffer, as stored (0: unbuffered).
	DataQSiz uint64
	// Buf is hchan.buf: the address of slot 0. When no memory was allocated for slots
	// (unbuffered, or zero-size elements) it points back into the hchan itself (&hchan.buf).
	Buf uint64
	// BufPlacement says where the buffer lives: "inline" (same allocation, right after the
	// header: elements without pointers), "separate" (its own allocation), "none" (no slot
	// memory); empty when the element type could not be read.
	BufPlacement string
	// SendX and RecvX are hchan.sendx and hchan.recvx: the slot the next send writes and the
	// slot the next receive reads.
	SendX, RecvX uint64
	// Closed is true once close(c) ran (hchan.closed != 0); a closed channel may still hold values.
	Closed bool
	// Lock is the raw word of hchan.lock (runtime.mutex.key): 0 when unlocked and uncontended.
	Lock uint64
	// HasTimerField says the target's hchan has a timer field (Go 1.23+).
	HasTimerField bool
	// Timer is hchan.timer: the runtime timer feeding a time.Timer/time.Ticker channel (Go 1.23+);
	// 0 otherwise.
	Timer uint64
	// Bubble is hchan.bubble (Go 1.25+): the synctest bubble the channel belongs to; 0 when none.
	// For Go 1.24, whose hchan has a synctest bool instead, it is 1 when that flag is set.
	Bubble uint64
	// ReportedLen and ReportedCap are what len(c) and cap(c) return in the program: QCount and
	// DataQSiz, except for a timer channel (Timer != 0), which the runtime presents as unbuffered
	// (both 0) while it keeps a 1-slot buffer (runtime.chanlen/chancap, Go 1.23+).
	ReportedLen, ReportedCap uint64
	// Buffer holds the buffered elements in receive order, starting at RecvX and wrapping at
	// DataQSiz, up to the limit the caller gave.
	Buffer []ChanSlot
	// BufferMore counts buffered elements not in Buffer because of the limit.
	BufferMore uint64
	// ValuesOmitted counts elements of Buffer listed without a value: formatting them through Delve
	// one by one would take too long (see ChanOptions.MaxFormatted).
	ValuesOmitted uint64
	// RecvQ and SendQ are the goroutines blocked receiving and sending, in queue order, up to the
	// limit the caller gave.
	RecvQ, SendQ []ChanWaiter
	// RecvQMore and SendQMore count the waiters beyond the limit (queued, not decoded).
	RecvQMore, SendQMore int
	// Problems lists inconsistencies found in the channel's memory (corrupt data, a header caught
	// mid-update); decoding went on within safe bounds.
	Problems []string
}

// ChanSlot is one occupied slot of a channel's ring buffer.
type ChanSlot struct {
	// Slot is the physical slot index, 0 <= Slot < DataQSiz.
	Slot uint64
	// Addr is the slot's address (buf + Slot*elemsize).
	Addr uint64
	// Value is the element, formatted on one line the way Delve prints it ("" when omitted).
	Value string
}

// ChanWaiter is one goroutine blocked on a channel: one runtime.sudog of its recvq or sendq.
type ChanWaiter struct {
	// Sudog is the address of the runtime.sudog.
	Sudog uint64
	// G is the address of the waiting goroutine's runtime.g.
	G uint64
	// GoID is the goroutine id; 0 when the g could not be read.
	GoID int64
	// Status and WaitReason say what the goroutine's g says it is doing ("waiting", "chan send").
	Status, WaitReason string
	// IsSelect is true when the goroutine blocked in a select statement.
	IsSelect bool
	// Elem is sudog.elem: for a sender, the address of the value it sends; for a receiver, where
	// the received value will be stored (0 when the receive discards it).
	Elem uint64
	// Value is a sender's pending value, formatted like a buffered one; empty for receivers.
	Value string
}

// ChanOptions bound what ReadChan decodes.
type ChanOptions struct {
	// MaxSlots is how many buffered elements to list, in receive order, and how many waiters of
	// each queue to decode; 0 lists them all (up to MaxChanSlots elements and MaxListWalk waiters).
	MaxSlots int
	// MaxFormatted bounds how many elements of a type memlens cannot format itself (anything but
	// bool, integers and floats) are formatted through Delve; the rest are listed without a value.
	// 0 means DefaultMaxFormatted.
	MaxFormatted int
}

// MaxChanSlots bounds how many buffered elements one decode lists, whatever the limit asked: a
// chan struct{} can claim a capacity of 2^62 without any memory behind it.
const MaxChanSlots = 1 << 21

// DefaultMaxFormatted is the default ChanOptions.MaxFormatted. Delve formats about 10^4-10^5 values
// a second (in chunks of formatChunk), so this keeps any one decode within seconds.
const DefaultMaxFormatted = 1 << 16

// maxElemSize is the largest element a channel can have: makechan throws when elem.size >= 1<<16,
// and hchan.elemsize is a uint16.
const maxElemSize = 1<<16 - 1

// EvalChan evaluates expr and decodes the channel it names. expr is a Delve expression of
// channel type (or of type runtime.hchan / *runtime.hchan), or a bare address "0x..." read as a
// *runtime.hchan. A nil channel decodes to a Chan with Nil set; an expression of any other type is
// a TargetError that names its type.
func (t *Target) EvalChan(expr string, opts ChanOptions) (*Chan, error) {
	expr = strings.TrimSpace(expr)
	if isBareAddress(expr) {
		addr, err := strconv.ParseUint(expr[2:], 16, 64)
		if err != nil {
			return nil, userErr("%q is not an address: %v", expr, err)
		}
		return t.ReadChan(addr, nil, opts)
	}
	v, err := t.Eval(expr, proc.LoadConfig{})
	if err != nil {
		return nil, err
	}
	addr, elem, err := chanOfVariable(expr, v)
	if err != nil {
		return nil, err
	}
	return t.ReadChan(addr, elem, opts)
}

func isBareAddress(s string) bool {
	if len(s) < 3 || (s[:2] != "0x" && s[:2] != "0X") {
		return false
	}
	for _, c := range s[2:] {
		if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
			return false
		}
	}
	return true
}

// chanOfVariable returns the hchan address and the DWARF element type (nil when unknown) of an
// evaluated expression. Delve loads a chan-typed variable by dereferencing its hchan pointer:
// Variable.Base is then the hchan's address, 0 for a nil channel (pkg/proc/variables.go,
// loadValueInternal, case reflect.Chan, Delve v1.27).
func chanOfVariable(expr string, v *proc.Variable) (uint64, godwarf.Type, error) {
	switch v.Kind {
	case reflect.Chan:
		ct, ok := v.RealType.(*godwarf.ChanType)
		if !ok {
			return 0, nil, fmt.Errorf("%q: Delve gave a channel of DWARF type %T", expr, v.RealType)
		}
		return v.Base, ct.ElemType, nil
	case reflect.Struct:
		if v.RealType.Common().Name == "runtime.hchan" {
			return v.Addr, nil, nil
		}
	case reflect.Ptr:
		if p, ok := v.RealType.(*godwarf.PtrType); ok && p.Type.Common().Name == "runtime.hchan" {
			if len(v.Children) == 1 {
				return v.Children[0].Addr, nil, nil
			}
			return 0, nil, fmt.Errorf("%q: pointer not loaded", expr)
		}
	}
	return 0, nil, userErr("%s has type %s, not a channel", expr, typeString(v))
}

// RuntimeType is what the channel decoder needs of the runtime type descriptor hchan.elemtype
// points to (decoded by the type reader in types.go).
type RuntimeType struct {
	// Addr is the address of the descriptor (a *runtime._type / *internal/abi.Type).
	Addr uint64
	// Name is the type's name as reflect's Type.String spells it ("int64", "main.point", "*main.T").
	Name string
	// Size is the size of one value of the type, in bytes.
	Size uint64
	// PtrBytes is ptrdata/PtrBytes: the length of the prefix of a value that holds pointers, in
	// bytes; 0 for pointer-free types.
	PtrBytes uint64
	// Kind is the reflect.Kind number (abi.Kind: 2 int, 6 int64, 25 struct, ...).
	Kind uint8
}

// ReadChan decodes the runtime.hchan at addr; addr 0 is a nil channel. elem is the element's
// DWARF type when the caller knows it (from the channel's static type); otherwise it is looked up
// by the name the runtime gives the element type.
//
// Layout facts relied on (src/runtime/chan.go, Go 1.19-1.27; shared/runtime-layouts.md §1.2):
//   - qcount, dataqsiz, sendx, recvx are uint; buf is unsafe.Pointer; elemsize is uint16;
//     closed is uint32; elemtype points at the element's type descriptor; recvq and sendq are
//     waitq{first, last *sudog}; lock is runtime.mutex whose first word is key.
//   - timer *timer exists from 1.23; synctest bool in 1.24 only; bubble *synctestBubble from
//     1.25. Their presence is read from the target's DWARF, never from its version.
//
// TestChanLayoutFacts checks these against the DWARF of every fixture target.
func (t *Target) ReadChan(addr uint64, elem godwarf.Type, opts ChanOptions) (*Chan, error) {
	if addr == 0 {
		return &Chan{Nil: true}, nil
	}
	hl, err := t.Layout("runtime.hchan")
	if err != nil {
		return nil, err
	}
	wl, err := t.Layout("runtime.waitq")
	if err != nil {
		return nil, err
	}
	d := &chanDecoder{
		arch: t.Arch, hchan: hl, waitq: wl, read: t.Read,
		sudogAt: t.SudogAt, goroutineAt: t.GoroutineAt, maxWaiters: MaxListWalk,
	}
	types, err := t.newTypeReader()
	if err != nil {
		return nil, err
	}
	d.elemType = func(typeAddr uint64) (*RuntimeType, error) {
		ty, err := types.decodeHeader(typeAddr)
		if err != nil {
			return nil, err
		}
		return &RuntimeType{Addr: ty.Addr, Name: ty.Name, Size: ty.Size, PtrBytes: ty.PtrBytes, Kind: uint8(kindNumber(ty))}, nil
	}
	d.formatter = func(runtimeName string, size uint64) elemFormatter {
		return t.newElemFormatter(elem, runtimeName, size)
	}
	return d.decode(addr, opts)
}

// elemFormatter formats channel elements: n consecutive elements starting at addr, whose bytes
// (n*elemsize of them) are given when the caller already read them, else nil. It returns one
// string per element, "" for those it could not format.
type elemFormatter struct {
	// basic formats an element from its raw bytes, for bool, integer and float elements; nil
	// for other types.
	basic func(b []byte) string
	// delve formats n elements at addr through Delve's expression evaluator.
	delve func(addr uint64, n int) []string
}

// chanDecoder decodes one hchan. It reaches the target only through its function fields, so that
// tests can decode channels from fake memory (chan_decode_test.go).
type chanDecoder struct {
	arch        *arch.Arch
	hchan       *layouts.Layout // runtime.hchan
	waitq       *layouts.Layout // runtime.waitq
	read        func(what string, addr uint64, n int64) ([]byte, error)
	sudogAt     func(addr uint64) (*Sudog, error)
	goroutineAt func(addr uint64) (*Goroutine, error)
	elemType    func(typeAddr uint64) (*RuntimeType, error)
	formatter   func(runtimeName string, elemSize uint64) elemFormatter
	// maxWaiters bounds each wait-queue walk (MaxListWalk; tests lower it).
	maxWaiters int
}

func (d *chanDecoder) decode(addr uint64, opts ChanOptions) (*Chan, error) {
	hdr, err := d.read("runtime.hchan", addr, d.hchan.Size)
	if err != nil {
		return nil, err
	}
	field := func(name string) (uint64, error) {
		v, err := d.hchan.Uint(hdr, name)
		if err != nil {
			return 0, fmt.Errorf("runtime.hchan at %#x: %v", addr, err)
		}
		return v, nil
	}
	c := &Chan{Addr: addr}
	for _, x := range []struct {
		name string
		dst  *uint64
	}{
		{"qcount", &c.QCount}, {"dataqsiz", &c.DataQSiz}, {"buf", &c.Buf}, {"elemsize", &c.ElemSize},
		{"elemtype", &c.ElemTypeAddr}, {"sendx", &c.SendX}, {"recvx", &c.RecvX},
	} {
		if *x.dst, err = field(x.name); err != nil {
			return nil, err
		}
	}
	closed, err := field("closed")
	if err != nil {
		return nil, err
	}
	c.Closed = closed != 0
	if f, err := d.hchan.Field("lock"); err == nil && f.Size >= int64(d.arch.PtrSize) {
		c.Lock = d.arch.Uint(hdr[f.Offset : f.Offset+int64(d.arch.PtrSize)])
	}
	if d.hchan.Has("timer") {
		c.HasTimerField = true
		c.Timer, _ = field("timer")
	}
	if d.hchan.Has("bubble") {
		c.Bubble, _ = field("bubble")
	} else if d.hchan.Has("synctest") {
		c.Bubble, _ = field("synctest")
	}
	c.ReportedLen, c.ReportedCap = c.QCount, c.DataQSiz
	if c.Timer != 0 {
		c.ReportedLen, c.ReportedCap = 0, 0
	}
	var rt *RuntimeType
	if c.ElemTypeAddr == 0 {
		c.problem("hchan.elemtype is nil: the element type is unknown (corrupt header?)")
	} else if rt, err = d.elemType(c.ElemTypeAddr); err != nil {
		c.problem("element type at %#x: %v", c.ElemTypeAddr, err)
	}
	if rt != nil {
		c.ElemType = rt.Name
		if rt.Size != c.ElemSize {
			c.problem("hchan.elemsize is %d but the element type %s is %d bytes (corrupt header?)", c.ElemSize, rt.Name, rt.Size)
		}
	}
	// makechan: no slot memory when elemsize*dataqsiz == 0 (buf = &hchan.buf); one allocation
	// with the header when the element has no pointers (buf = hchan + hchanSize, hchanSize being
	// sizeof(hchan) rounded up to 8); otherwise a separate allocation. Two separate allocations
	// can sit next to each other, so the type decides, not the address.
	inlineAddr := addr + alignUp(uint64(d.hchan.Size), 8)
	switch {
	case c.ElemSize == 0 || c.DataQSiz == 0:
		c.BufPlacement = "none"
	case rt != nil && rt.PtrBytes == 0:
		c.BufPlacement = "inline"
		if c.Buf != inlineAddr {
			c.problem("hchan.buf is %#x but a buffer of pointer-free elements sits right after the header, at %#x (corrupt header?)", c.Buf, inlineAddr)
		}
	case rt != nil:
		c.BufPlacement = "separate"
	}
	if c.ElemSize > maxElemSize {
		c.problem("hchan.elemsize %d is larger than any channel element (< 65536 bytes): not reading the buffer", c.ElemSize)
	} else {
		d.decodeBuffer(c, opts)
	}
	c.RecvQ, c.RecvQMore = d.decodeQueue(c, "recvq", addr, hdr, false, opts)
	c.SendQ, c.SendQMore = d.decodeQueue(c, "sendq", addr, hdr, true, opts)
	if c.QCount > 0 && len(c.RecvQ) > 0 {
		c.problem("%d goroutines wait to receive while the buffer holds %d values (header caught mid-update, or corrupt)", len(c.RecvQ)+c.RecvQMore, c.QCount)
	}
	if c.QCount < c.DataQSiz && len(c.SendQ) > 0 {
		c.problem("%d goroutines wait to send while the buffer has free slots (header caught mid-update, or corrupt)", len(c.SendQ)+c.SendQMore)
	}
	return c, nil
}

func (c *Chan) problem(format string, args ...any) {
	c.Problems = append(c.Problems, fmt.Sprintf(format, args...))
}

func alignUp(n, a uint64) uint64 { return (n + a - 1) &^ (a - 1) }

// decodeBuffer lists the buffered elements in receive order: slot (recvx+k) % dataqsiz for
// k = 0..qcount-1 (runtime.chanbuf: buf + i*elemsize). It reads at most two contiguous ranges of
// the ring, one bulk read each.
func (d *chanDecoder) decodeBuffer(c *Chan, opts ChanOptions) {
	count := c.QCount
	if count > c.DataQSiz {
		c.problem("hchan.qcount %d is larger than the capacity %d (corrupt header?); showing %d slots", c.QCount, c.DataQSiz, c.DataQSiz)
		count = c.DataQSiz
	}
	if c.DataQSiz == 0 {
		return
	}
	if c.RecvX >= c.DataQSiz {
		c.problem("hchan.recvx %d is outside the ring of %d slots (corrupt header?); the buffer is not shown", c.RecvX, c.DataQSiz)
		return
	}
	if c.SendX >= c.DataQSiz {
		c.problem("hchan.sendx %d is outside the ring of %d slots (corrupt header?)", c.SendX, c.DataQSiz)
	} else if (c.RecvX+c.QCount)%c.DataQSiz != c.SendX && c.QCount <= c.DataQSiz {
		c.problem("sendx %d is not recvx %d + qcount %d (mod %d): header caught mid-update, or corrupt", c.SendX, c.RecvX, c.QCount, c.DataQSiz)
	}
	if c.ElemSize != 0 && c.DataQSiz > MaxRead/c.ElemSize {
		c.problem("a ring of %d slots of %d bytes is larger than memlens reads (%d bytes; corrupt header?); the buffer is not shown", c.DataQSiz, c.ElemSize, MaxRead)
		return
	}
	listed := count
	if opts.MaxSlots > 0 && uint64(opts.MaxSlots) < listed {
		listed = uint64(opts.MaxSlots)
	}
	if listed > MaxChanSlots {
		c.problem("the buffer holds %d values; memlens lists the first %d", count, MaxChanSlots)
		listed = MaxChanSlots
	}
	c.BufferMore = count - listed
	if listed == 0 {
		return
	}
	c.Buffer = make([]ChanSlot, listed)
	for k := range c.Buffer {
		slot := (c.RecvX + uint64(k)) % c.DataQSiz
		c.Buffer[k] = ChanSlot{Slot: slot, Addr: c.Buf + slot*c.ElemSize}
	}
	f := d.formatter(c.ElemType, c.ElemSize)
	if c.ElemSize == 0 {
		// Zero-size elements: no bytes; every value is the same, formatted once.
		v := ""
		if f.basic == nil && f.delve != nil {
			v = f.delve(c.Buf, 1)[0]
		}
		for k := range c.Buffer {
			c.Buffer[k].Value = v
		}
		return
	}
	maxFormatted := uint64(opts.MaxFormatted)
	if maxFormatted == 0 {
		maxFormatted = DefaultMaxFormatted
	}
	// The listed slots are one contiguous range from recvx, or two when they wrap past the end.
	first := listed
	if c.RecvX+listed > c.DataQSiz {
		first = c.DataQSiz - c.RecvX
	}
	ranges := [][2]uint64{{0, first}}
	if first < listed {
		ranges = append(ranges, [2]uint64{first, listed})
	}
	for _, r := range ranges {
		start := c.Buffer[r[0]].Addr
		n := r[1] - r[0]
		if f.basic != nil {
			b, err := d.read("hchan buffer", start, int64(n*c.ElemSize))
			if err != nil {
				c.problem("reading the buffer: %v", err)
				return
			}
			for k := uint64(0); k < n; k++ {
				c.Buffer[r[0]+k].Value = f.basic(b[k*c.ElemSize : (k+1)*c.ElemSize])
			}
			continue
		}
		if f.delve == nil {
			continue
		}
		for k := uint64(0); k < n; k += formatChunk {
			m := n - k
			if m > formatChunk {
				m = formatChunk
			}
			if r[0]+k+m > maxFormatted {
				c.ValuesOmitted += n - k
				break
			}
			for j, v := range f.delve(start+k*c.ElemSize, int(m)) {
				c.Buffer[r[0]+k+uint64(j)].Value = v
			}
		}
	}
}

// formatChunk is how many elements one Delve evaluation formats (as an array [formatChunk]T).
const formatChunk = 16

// decodeQueue walks recvq or sendq (waitq.first, then sudog.next), bounded and cycle-checked,
// and decodes the first opts.MaxSlots waiters (all when 0); it returns them and how many more
// are queued.
func (d *chanDecoder) decodeQueue(c *Chan, name string, addr uint64, hdr []byte, senders bool, opts ChanOptions) ([]ChanWaiter, int) {
	qf, err := d.hchan.Field(name)
	if err != nil {
		c.problem("runtime.hchan: %v", err)
		return nil, 0
	}
	ff, err := d.waitq.Field("first")
	if err != nil {
		c.problem("runtime.waitq: %v", err)
		return nil, 0
	}
	off := qf.Offset + ff.Offset
	first := d.arch.Uint(hdr[off : off+int64(d.arch.PtrSize)])
	var sudogs []*Sudog
	_, err = WalkList(fmt.Sprintf("hchan.%s at %#x", name, addr), first, d.maxWaiters, func(s uint64) (uint64, error) {
		sg, err := d.sudogAt(s)
		if err != nil {
			return 0, err
		}
		sudogs = append(sudogs, sg)
		return sg.Next, nil
	})
	if err != nil {
		c.problem("%v", err)
	}
	more := 0
	if opts.MaxSlots > 0 && len(sudogs) > opts.MaxSlots {
		more = len(sudogs) - opts.MaxSlots
		sudogs = sudogs[:opts.MaxSlots]
	}
	var f *elemFormatter
	var out []ChanWaiter
	for _, sg := range sudogs {
		s := sg.Addr
		w := ChanWaiter{Sudog: s, G: sg.G, IsSelect: sg.IsSelect, Elem: sg.Elem}
		if sg.Chan != 0 && sg.Chan != addr {
			c.problem("sudog %#x in %s says it waits on channel %#x, not this one", s, name, sg.Chan)
		}
		if g, err := d.goroutineAt(sg.G); err != nil {
			c.problem("goroutine of sudog %#x in %s: %v", s, name, err)
		} else {
			w.GoID, w.Status, w.WaitReason = g.ID, g.Status, g.WaitReason
		}
		if senders && sg.Elem != 0 && c.ElemSize <= maxElemSize {
			if f == nil {
				ef := d.formatter(c.ElemType, c.ElemSize)
				f = &ef
			}
			w.Value = d.formatOne(c, *f, sg.Elem)
		}
		out = append(out, w)
	}
	return out, more
}

// formatOne formats the single element at addr.
func (d *chanDecoder) formatOne(c *Chan, f elemFormatter, addr uint64) string {
	if f.basic != nil {
		b, err := d.read("channel element", addr, int64(c.ElemSize))
		if err != nil {
			return "<unreadable: " + err.Error() + ">"
		}
		return f.basic(b)
	}
	if f.delve != nil {
		return f.delve(addr, 1)[0]
	}
	return ""
}

// basicKinds are the element types memlens formats itself from raw bytes: fixed-size, unnamed,
// and printed by Delve exactly as strconv prints them (service/api ConvertVar: integers in
// decimal, bool as true/false, floats with FormatFloat(f, 'f', -1, bits)).
var basicKinds = map[string]uint64{
	"bool": 1, "int": 8, "int8": 1, "int16": 2, "int32": 4, "int64": 8,
	"uint": 8, "uint8": 1, "uint16": 2, "uint32": 4, "uint64": 8, "uintptr": 8,
	"float32": 4, "float64": 8,
}

// basicFormatter returns the raw-bytes formatter for a basic element type of the given size, or
// nil when name is not a basic type of that size.
func basicFormatter(a *arch.Arch, name string, size uint64) func(b []byte) string {
	want, ok := basicKinds[name]
	if !ok {
		return nil
	}
	if name == "int" || name == "uint" || name == "uintptr" {
		want = uint64(a.PtrSize)
	}
	if want != size {
		return nil
	}
	switch {
	case name == "bool":
		return func(b []byte) string { return strconv.FormatBool(b[0] != 0) }
	case strings.HasPrefix(name, "int"):
		return func(b []byte) string {
			u := a.Uint(b)
			shift := 64 - 8*uint(len(b))
			return strconv.FormatInt(int64(u<<shift)>>shift, 10)
		}
	case strings.HasPrefix(name, "uint"):
		return func(b []byte) string { return strconv.FormatUint(a.Uint(b), 10) }
	case name == "float32":
		return func(b []byte) string { return formatFloat(float64(math.Float32frombits(uint32(a.Uint(b)))), 32) }
	case name == "float64":
		return func(b []byte) string { return formatFloat(math.Float64frombits(a.Uint(b)), 64) }
	}
	return nil
}

// formatFloat prints a float as Delve does (service/api convertFloatValue).
func formatFloat(f float64, bits int) string {
	switch {
	case math.IsInf(f, 1):
		return "+Inf"
	case math.IsInf(f, -1):
		return "-Inf"
	case math.IsNaN(f):
		return "NaN"
	}
	return strconv.FormatFloat(f, 'f', -1, bits)
}

// newElemFormatter picks how to format elements: from raw bytes for basic types, else through
// Delve, by the element's DWARF type name (from the channel's static type) or, failing that, by
// the name the runtime gives it.
func (t *Target) newElemFormatter(elem godwarf.Type, runtimeName string, size uint64) elemFormatter {
	name := runtimeName
	if elem != nil {
		if n := elem.Common().Name; n != "" {
			name = n
		} else {
			name = elem.String()
		}
	}
	if name == "" {
		return elemFormatter{}
	}
	if b := basicFormatter(t.Arch, name, size); b != nil {
		return elemFormatter{basic: b}
	}
	return elemFormatter{delve: func(addr uint64, n int) []string { return t.formatElems(name, size, addr, n) }}
}

// formatElems formats n consecutive values of type name (size bytes each) at addr: as one array
// [n]name in one Delve evaluation (one read of the whole range), falling back to one evaluation
// per element.
func (t *Target) formatElems(name string, size, addr uint64, n int) []string {
	out := make([]string, n)
	if n > 1 {
		cfg := ValueLoadConfig
		cfg.MaxArrayValues = n
		if cfg.MaxArrayValues < ValueLoadConfig.MaxArrayValues {
			cfg.MaxArrayValues = ValueLoadConfig.MaxArrayValues
		}
		cfg.MaxVariableRecurse++ // elements sit one level below the array
		v, err := t.Eval(fmt.Sprintf("*(*%q)(%#x)", fmt.Sprintf("[%d]%s", n, name), addr), cfg)
		if err == nil && len(v.Children) == n {
			for i := range v.Children {
				out[i] = FormatVariable(&v.Children[i])
			}
			return out
		}
	}
	for i := range out {
		s, err := t.FormatValue(name, addr+uint64(i)*size)
		if err != nil {
			s = "<unreadable: " + oneLineErr(err) + ">"
		}
		out[i] = s
	}
	return out
}

func oneLineErr(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}
