/** Registers every hook and verb body at startup (import for its effects). */
import './contact'
import './lead'
import './deal'
import './billing'
import './sales'
import './timeline'
import './scoring'
import './nurture'
