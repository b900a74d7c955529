package stats

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// The ;json view of the statistics page: HAProxy's typed JSON, an array
// of rows, each an array of the row's non-empty fields with their
// position, name, tags and typed value, so that tools reading HAProxy's
// ;json read hawser's.

// jsonTag is a column's tags and value type in HAProxy's typed output.
type jsonTag struct{ origin, nature, scope, typ string }

// letters returns the tags as the typed output abbreviates them: one
// letter each for origin, nature and scope, "a" for Avg and "A" for Age
// (both start with A), "s" for System (Service has "S").
func (t jsonTag) letters() string {
	n := t.nature[:1]
	switch t.nature {
	case "Avg":
		n = "a"
	}
	sc := t.scope[:1]
	if t.scope == "System" {
		sc = "s"
	}
	return t.origin[:1] + n + sc
}

// jsonTags are the columns' tags as HAProxy 2.6 prints them for
// frontends and servers (recorded from its ;json output).
var jsonTags = map[string]jsonTag{
	"pxname":                           {"Key", "Name", "Service", "str"},
	"svname":                           {"Key", "Name", "Service", "str"},
	"qcur":                             {"Metric", "Gauge", "Process", "u32"},
	"qmax":                             {"Metric", "Max", "Process", "u32"},
	"scur":                             {"Metric", "Gauge", "Process", "u32"},
	"smax":                             {"Metric", "Max", "Process", "u32"},
	"slim":                             {"Config", "Limit", "Process", "u32"},
	"stot":                             {"Metric", "Counter", "Process", "u64"},
	"bin":                              {"Metric", "Counter", "Process", "u64"},
	"bout":                             {"Metric", "Counter", "Process", "u64"},
	"dreq":                             {"Metric", "Counter", "Process", "u64"},
	"dresp":                            {"Metric", "Counter", "Process", "u64"},
	"ereq":                             {"Metric", "Counter", "Process", "u64"},
	"econ":                             {"Metric", "Counter", "Process", "u64"},
	"eresp":                            {"Metric", "Counter", "Process", "u64"},
	"wretr":                            {"Metric", "Counter", "Process", "u64"},
	"wredis":                           {"Metric", "Counter", "Process", "u64"},
	"status":                           {"Status", "Gauge", "Process", "str"},
	"weight":                           {"Metric", "Avg", "Process", "u32"},
	"act":                              {"Status", "Gauge", "Process", "u32"},
	"bck":                              {"Status", "Gauge", "Process", "u32"},
	"chkfail":                          {"Metric", "Counter", "Process", "u64"},
	"chkdown":                          {"Metric", "Counter", "Process", "u64"},
	"lastchg":                          {"Metric", "Age", "Process", "u32"},
	"downtime":                         {"Metric", "Counter", "Process", "u32"},
	"qlimit":                           {"Config", "Gauge", "Service", "u32"},
	"pid":                              {"Key", "Gauge", "Process", "u32"},
	"iid":                              {"Key", "Gauge", "Service", "u32"},
	"sid":                              {"Key", "Gauge", "Service", "u32"},
	"throttle":                         {"Metric", "Avg", "Process", "u32"},
	"lbtot":                            {"Metric", "Counter", "Process", "u64"},
	"tracked":                          {"Config", "Name", "Service", "str"},
	"type":                             {"Config", "Gauge", "Service", "u32"},
	"rate":                             {"Metric", "Rate", "Process", "u32"},
	"rate_lim":                         {"Config", "Limit", "Process", "u32"},
	"rate_max":                         {"Metric", "Max", "Process", "u32"},
	"check_status":                     {"Metric", "Output", "Process", "str"},
	"check_code":                       {"Metric", "Output", "Process", "u32"},
	"check_duration":                   {"Metric", "Duration", "Process", "u64"},
	"hrsp_1xx":                         {"Metric", "Counter", "Process", "u64"},
	"hrsp_2xx":                         {"Metric", "Counter", "Process", "u64"},
	"hrsp_3xx":                         {"Metric", "Counter", "Process", "u64"},
	"hrsp_4xx":                         {"Metric", "Counter", "Process", "u64"},
	"hrsp_5xx":                         {"Metric", "Counter", "Process", "u64"},
	"hrsp_other":                       {"Metric", "Counter", "Process", "u64"},
	"hanafail":                         {"Metric", "Counter", "Process", "u64"},
	"req_rate":                         {"Metric", "Rate", "Process", "u32"},
	"req_rate_max":                     {"Metric", "Max", "Process", "u32"},
	"req_tot":                          {"Metric", "Counter", "Process", "u64"},
	"cli_abrt":                         {"Metric", "Counter", "Process", "u64"},
	"srv_abrt":                         {"Metric", "Counter", "Process", "u64"},
	"comp_in":                          {"Metric", "Counter", "Process", "u64"},
	"comp_out":                         {"Metric", "Counter", "Process", "u64"},
	"comp_byp":                         {"Metric", "Counter", "Process", "u64"},
	"comp_rsp":                         {"Metric", "Counter", "Process", "u64"},
	"lastsess":                         {"Metric", "Age", "Process", "s32"},
	"last_chk":                         {"Metric", "Output", "Process", "str"},
	"last_agt":                         {"Metric", "Output", "Process", "str"},
	"qtime":                            {"Metric", "Avg", "Process", "u32"},
	"ctime":                            {"Metric", "Avg", "Process", "u32"},
	"rtime":                            {"Metric", "Avg", "Process", "u32"},
	"ttime":                            {"Metric", "Avg", "Process", "u32"},
	"agent_status":                     {"Metric", "Output", "Process", "str"},
	"agent_code":                       {"Metric", "Output", "Process", "u32"},
	"agent_duration":                   {"Metric", "Duration", "Process", "u64"},
	"check_desc":                       {"Metric", "Output", "Process", "str"},
	"agent_desc":                       {"Metric", "Output", "Process", "str"},
	"check_rise":                       {"Config", "Gauge", "Service", "u32"},
	"check_fall":                       {"Config", "Gauge", "Service", "u32"},
	"check_health":                     {"Config", "Gauge", "Service", "u32"},
	"agent_rise":                       {"Config", "Gauge", "Service", "u32"},
	"agent_fall":                       {"Config", "Gauge", "Service", "u32"},
	"agent_health":                     {"Config", "Gauge", "Service", "u32"},
	"addr":                             {"Config", "Gauge", "Service", "str"},
	"cookie":                           {"Config", "Name", "Service", "str"},
	"mode":                             {"Config", "Gauge", "Service", "str"},
	"algo":                             {"Config", "Gauge", "Service", "str"},
	"conn_rate":                        {"Metric", "Rate", "Process", "u32"},
	"conn_rate_max":                    {"Metric", "Max", "Process", "u32"},
	"conn_tot":                         {"Metric", "Counter", "Process", "u64"},
	"intercepted":                      {"Metric", "Counter", "Process", "u64"},
	"dcon":                             {"Metric", "Counter", "Process", "u64"},
	"dses":                             {"Metric", "Counter", "Process", "u64"},
	"wrew":                             {"Metric", "Counter", "Process", "u64"},
	"connect":                          {"Metric", "Counter", "Process", "u64"},
	"reuse":                            {"Metric", "Counter", "Process", "u64"},
	"cache_lookups":                    {"Metric", "Counter", "Process", "u64"},
	"cache_hits":                       {"Metric", "Counter", "Process", "u64"},
	"srv_icur":                         {"Metric", "Gauge", "Process", "u32"},
	"src_ilim":                         {"Config", "Limit", "Process", "u32"},
	"qtime_max":                        {"Metric", "Max", "Process", "u32"},
	"ctime_max":                        {"Metric", "Max", "Process", "u32"},
	"rtime_max":                        {"Metric", "Max", "Process", "u32"},
	"ttime_max":                        {"Metric", "Max", "Process", "u32"},
	"eint":                             {"Metric", "Counter", "Process", "u64"},
	"idle_conn_cur":                    {"Metric", "Gauge", "Process", "u32"},
	"safe_conn_cur":                    {"Metric", "Gauge", "Process", "u32"},
	"used_conn_cur":                    {"Metric", "Gauge", "Process", "u32"},
	"need_conn_est":                    {"Metric", "Gauge", "Process", "u32"},
	"uweight":                          {"Metric", "Avg", "Process", "u32"},
	"agg_server_status":                {"Metric", "Gauge", "Process", "u32"},
	"agg_server_check_status":          {"Metric", "Gauge", "Process", "u32"},
	"agg_check_status":                 {"Metric", "Gauge", "Process", "u32"},
	"ssl_sess":                         {"Metric", "Counter", "Process", "u64"},
	"ssl_reused_sess":                  {"Metric", "Counter", "Process", "u64"},
	"ssl_failed_handshake":             {"Metric", "Counter", "Process", "u64"},
	"h2_headers_rcvd":                  {"Metric", "Counter", "Process", "u64"},
	"h2_data_rcvd":                     {"Metric", "Counter", "Process", "u64"},
	"h2_settings_rcvd":                 {"Metric", "Counter", "Process", "u64"},
	"h2_rst_stream_rcvd":               {"Metric", "Counter", "Process", "u64"},
	"h2_goaway_rcvd":                   {"Metric", "Counter", "Process", "u64"},
	"h2_detected_conn_protocol_errors": {"Metric", "Counter", "Process", "u64"},
	"h2_detected_strm_protocol_errors": {"Metric", "Counter", "Process", "u64"},
	"h2_rst_stream_resp":               {"Metric", "Counter", "Process", "u64"},
	"h2_goaway_resp":                   {"Metric", "Counter", "Process", "u64"},
	"h2_open_connections":              {"Metric", "Gauge", "Process", "u64"},
	"h2_backend_open_streams":          {"Metric", "Gauge", "Process", "u64"},
	"h2_total_connections":             {"Metric", "Counter", "Process", "u64"},
	"h2_backend_total_streams":         {"Metric", "Counter", "Process", "u64"},
	"h1_open_connections":              {"Metric", "Gauge", "Process", "u64"},
	"h1_open_streams":                  {"Metric", "Gauge", "Process", "u64"},
	"h1_total_connections":             {"Metric", "Counter", "Process", "u64"},
	"h1_total_streams":                 {"Metric", "Counter", "Process", "u64"},
	"h1_bytes_in":                      {"Metric", "Counter", "Process", "u64"},
	"h1_bytes_out":                     {"Metric", "Counter", "Process", "u64"},
	"h1_spliced_bytes_in":              {"Metric", "Counter", "Process", "u64"},
	"h1_spliced_bytes_out":             {"Metric", "Counter", "Process", "u64"},
}

// jsonBackendTags are the columns a backend row tags differently.
var jsonBackendTags = map[string]jsonTag{
	"rate":     {"Metric", "Gauge", "Process", "u32"},
	"rate_max": {"Metric", "Gauge", "Process", "u32"},
	"act":      {"Metric", "Gauge", "Process", "u32"},
	"bck":      {"Metric", "Gauge", "Process", "u32"},
}

// objTypes names the `type` column's values.
var objTypes = map[string]string{"0": "Frontend", "1": "Backend", "2": "Server", "3": "Listener"}

type jsonFieldName struct {
	Pos  int    `json:"pos"`
	Name string `json:"name"`
}

type jsonFieldTags struct {
	Origin string `json:"origin"`
	Nature string `json:"nature"`
	Scope  string `json:"scope"`
}

type jsonValue struct {
	Type  string `json:"type"`
	Value any    `json:"value"`
}

type jsonField struct {
	ObjType    string        `json:"objType"`
	ProxyID    int           `json:"proxyId"`
	ID         int           `json:"id"`
	Field      jsonFieldName `json:"field"`
	ProcessNum int           `json:"processNum"`
	Tags       jsonFieldTags `json:"tags"`
	Value      jsonValue     `json:"value"`
}

// typedFields calls fn for each non-empty field of r with its position,
// column, tags and value type, as HAProxy's typed outputs list them. A
// number column holding text is typed "str": saying u32 would mislead a
// typed reader.
func typedFields(r row, fn func(pos int, col string, tag jsonTag, v string)) {
	backend := r.get("type") == "1"
	for i, col := range statColumns {
		v := r[i]
		tag, ok := jsonTags[col]
		if v == "" || !ok {
			continue
		}
		if bt, ok := jsonBackendTags[col]; ok && backend {
			tag = bt
		}
		if tag.typ != "str" {
			if _, err := strconv.ParseInt(v, 10, 64); err != nil {
				tag.typ = "str"
			}
		}
		pos := i
		if i > colIndex["-"] {
			// The CSV's "-" column separates HAProxy's own fields from its
			// modules'; typed positions do not count it.
			pos--
		}
		fn(pos, col, tag, v)
	}
}

// jsonRows renders rows as HAProxy's ;json (and `show stat json`).
func jsonRows(rows []row) ([]byte, error) {
	out := make([][]jsonField, 0, len(rows))
	for _, r := range rows {
		obj := objTypes[r.get("type")]
		pid, _ := strconv.Atoi(r.get("iid"))
		sid, _ := strconv.Atoi(r.get("sid"))
		fields := make([]jsonField, 0, 64)
		typedFields(r, func(pos int, col string, tag jsonTag, v string) {
			f := jsonField{
				ObjType: obj, ProxyID: pid, ID: sid, ProcessNum: 1,
				Field: jsonFieldName{Pos: pos, Name: col},
				Tags:  jsonFieldTags{tag.origin, tag.nature, tag.scope},
				Value: jsonValue{Type: tag.typ, Value: v},
			}
			if tag.typ != "str" {
				f.Value.Value, _ = strconv.ParseInt(v, 10, 64)
			}
			fields = append(fields, f)
		})
		out = append(out, fields)
	}
	b, err := json.Marshal(out)
	if err != nil {
		return nil, fmt.Errorf("encoding the statistics as JSON: %w", err)
	}
	return append(b, '\n'), nil
}
