package stats

import "strings"

// statColumns are the columns of `show stat` in HAProxy 2.6, in order.
// New columns are only ever appended by HAProxy, and tools index them by
// position, so this list must not change.
var statColumns = strings.Split("pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight,act,bck,chkfail,chkdown,lastchg,downtime,qlimit,pid,iid,sid,throttle,lbtot,tracked,type,rate,rate_lim,rate_max,check_status,check_code,check_duration,hrsp_1xx,hrsp_2xx,hrsp_3xx,hrsp_4xx,hrsp_5xx,hrsp_other,hanafail,req_rate,req_rate_max,req_tot,cli_abrt,srv_abrt,comp_in,comp_out,comp_byp,comp_rsp,lastsess,last_chk,last_agt,qtime,ctime,rtime,ttime,agent_status,agent_code,agent_duration,check_desc,agent_desc,check_rise,check_fall,check_health,agent_rise,agent_fall,agent_health,addr,cookie,mode,algo,conn_rate,conn_rate_max,conn_tot,intercepted,dcon,dses,wrew,connect,reuse,cache_lookups,cache_hits,srv_icur,src_ilim,qtime_max,ctime_max,rtime_max,ttime_max,eint,idle_conn_cur,safe_conn_cur,used_conn_cur,need_conn_est,uweight,agg_server_status,agg_server_check_status,agg_check_status,-,ssl_sess,ssl_reused_sess,ssl_failed_handshake,h2_headers_rcvd,h2_data_rcvd,h2_settings_rcvd,h2_rst_stream_rcvd,h2_goaway_rcvd,h2_detected_conn_protocol_errors,h2_detected_strm_protocol_errors,h2_rst_stream_resp,h2_goaway_resp,h2_open_connections,h2_backend_open_streams,h2_total_connections,h2_backend_total_streams,h1_open_connections,h1_open_streams,h1_total_connections,h1_total_streams,h1_bytes_in,h1_bytes_out,h1_spliced_bytes_in,h1_spliced_bytes_out", ",")

// colIndex maps a column name to its position.
var colIndex = func() map[string]int {
	m := make(map[string]int, len(statColumns))
	for i, c := range statColumns {
		m[c] = i
	}
	return m
}()

// StatHeader returns the first line of `show stat`.
func StatHeader() string {
	return "# " + strings.Join(statColumns, ",") + ","
}

// row is one line of `show stat` being filled.
type row []string

func newRow() row { return make(row, len(statColumns)) }

func (r row) set(col string, v string) {
	i, ok := colIndex[col]
	if !ok {
		panic("stats: unknown column " + col)
	}
	r[i] = v
}

func (r row) String() string { return strings.Join(r, ",") + "," }
