// netpath-echo: the e2e harness's pod workload and traffic generator (std library only).
//
//	netpath-echo serve --name POD --ports 8080,9090      answer TCP and UDP on each port with
//	                                                    "POD SRC-IP:SRC-PORT\n"
//	netpath-echo probe --addr IP:PORT --proto tcp|udp --count N --timeout 1s --deadline 60s
//	                                                    N fresh connections (new source port each,
//	                                                    so kube-proxy chooses anew), JSON tally;
//	                                                    exit 3 when nothing answered
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"os"
	"strings"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fail("usage: netpath-echo serve|probe [flags]")
	}
	switch os.Args[1] {
	case "serve":
		serve(os.Args[2:])
	case "probe":
		probe(os.Args[2:])
	default:
		fail("unknown command " + os.Args[1])
	}
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "netpath-echo:", msg)
	os.Exit(2)
}

func serve(args []string) {
	fs := flag.NewFlagSet("serve", flag.ExitOnError)
	name := fs.String("name", "", "pod name to answer with")
	ports := fs.String("ports", "8080", "comma-separated ports, each served on TCP and UDP")
	_ = fs.Parse(args)
	if *name == "" {
		fail("serve needs --name")
	}
	for _, p := range strings.Split(*ports, ",") {
		tl, err := net.Listen("tcp", ":"+p)
		if err != nil {
			fail(err.Error())
		}
		ul, err := net.ListenPacket("udp", ":"+p)
		if err != nil {
			fail(err.Error())
		}
		go acceptTCP(tl, *name)
		go answerUDP(ul, *name)
	}
	fmt.Printf("serving %s on %s\n", *name, *ports)
	select {}
}

func acceptTCP(l net.Listener, name string) {
	for {
		c, err := l.Accept()
		if err != nil {
			continue
		}
		go func() {
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(5 * time.Second))
			fmt.Fprintf(c, "%s %s\n", name, c.RemoteAddr())
		}()
	}
}

func answerUDP(l net.PacketConn, name string) {
	buf := make([]byte, 1500)
	for {
		_, from, err := l.ReadFrom(buf)
		if err != nil {
			continue
		}
		_, _ = l.WriteTo([]byte(fmt.Sprintf("%s %s\n", name, from)), from)
	}
}

// Tally is what probe prints: who answered how often, and from which source address they saw us.
type Tally struct {
	Sent     int                       `json:"sent"`
	Answered int                       `json:"answered"`
	Errors   map[string]int            `json:"errors"`
	Pods     map[string]int            `json:"pods"`
	Sources  map[string]map[string]int `json:"sources"`
}

func probe(args []string) {
	fs := flag.NewFlagSet("probe", flag.ExitOnError)
	addr := fs.String("addr", "", "IP:PORT to connect to")
	proto := fs.String("proto", "tcp", "tcp or udp")
	count := fs.Int("count", 100, "connections to make (at most 100000)")
	timeout := fs.Duration("timeout", time.Second, "per-connection timeout")
	deadline := fs.Duration("deadline", 60*time.Second, "stop after this long whatever the count")
	_ = fs.Parse(args)
	if *addr == "" || (*proto != "tcp" && *proto != "udp") || *count < 1 || *count > 100000 {
		fail("probe needs --addr, --proto tcp|udp and 1 <= --count <= 100000")
	}
	t := Tally{Errors: map[string]int{}, Pods: map[string]int{}, Sources: map[string]map[string]int{}}
	stop := time.Now().Add(*deadline)
	for i := 0; i < *count && time.Now().Before(stop); i++ {
		t.Sent++
		line, err := once(*proto, *addr, *timeout)
		if err != nil {
			t.Errors[classify(err)]++
			continue
		}
		fields := strings.Fields(line)
		if len(fields) != 2 {
			t.Errors["bad-answer"]++
			continue
		}
		pod, src := fields[0], fields[1]
		if host, _, err := net.SplitHostPort(src); err == nil {
			src = host
		}
		t.Answered++
		t.Pods[pod]++
		if t.Sources[pod] == nil {
			t.Sources[pod] = map[string]int{}
		}
		t.Sources[pod][src]++
	}
	_ = json.NewEncoder(os.Stdout).Encode(t)
	if t.Answered == 0 {
		os.Exit(3) // still a valid tally (e.g. a DROP rule); the exit code lets shells poll
	}
}

// once opens a fresh socket (fresh source port, fresh conntrack entry) and reads one answer line.
func once(proto, addr string, timeout time.Duration) (string, error) {
	c, err := net.DialTimeout(proto, addr, timeout)
	if err != nil {
		return "", err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(timeout))
	if proto == "udp" {
		if _, err := c.Write([]byte("?\n")); err != nil {
			return "", err
		}
	}
	return bufio.NewReader(c).ReadString('\n')
}

func classify(err error) string {
	msg := err.Error()
	for _, k := range []string{"refused", "timeout", "no route", "unreachable", "reset"} {
		if strings.Contains(msg, k) {
			return k
		}
	}
	return "other"
}
